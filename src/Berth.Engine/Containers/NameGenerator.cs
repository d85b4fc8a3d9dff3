
namespace Berth.Engine.Containers;

/// <summary>docker-style container names: an adjective and a notable scientist or engineer.</summary>
public static class NameGenerator
{
    private static readonly string[] Left =
    [
        "admiring", "adoring", "affectionate", "agitated", "amazing", "angry", "awesome", "beautiful", "blissful", "bold",
        "boring", "brave", "busy", "charming", "clever", "compassionate", "competent", "condescending", "confident", "cool",
        "cranky", "crazy", "dazzling", "determined", "distracted", "dreamy", "eager", "ecstatic", "elastic", "elated",
        "elegant", "eloquent", "epic", "exciting", "fervent", "festive", "flamboyant", "focused", "friendly", "frosty",
        "funny", "gallant", "gifted", "goofy", "gracious", "great", "happy", "hardcore", "heuristic", "hopeful", "hungry",
        "infallible", "inspiring", "intelligent", "interesting", "jolly", "jovial", "keen", "kind", "laughing", "loving",
        "lucid", "magical", "modest", "musing", "mystifying", "naughty", "nervous", "nice", "nifty", "nostalgic",
        "objective", "optimistic", "peaceful", "pedantic", "pensive", "practical", "priceless", "quirky", "quizzical",
        "recursing", "relaxed", "reverent", "romantic", "sad", "serene", "sharp", "silly", "sleepy", "stoic", "strange",
        "stupefied", "suspicious", "sweet", "tender", "thirsty", "trusting", "unruffled", "upbeat", "vibrant", "vigilant",
        "vigorous", "wizardly", "wonderful", "xenodochial", "youthful", "zealous", "zen",
    ];

    private static readonly string[] Right =
    [
        "agnesi", "albattani", "allen", "archimedes", "ardinghelli", "babbage", "banach", "bardeen", "bartik", "bassi",
        "bell", "benz", "bhabha", "blackwell", "bohr", "booth", "borg", "bose", "brattain", "brown", "carson", "cerf",
        "chandrasekhar", "clarke", "colden", "cori", "cray", "curie", "darwin", "davinci", "diffie", "dijkstra", "dirac",
        "driscoll", "dubinsky", "easley", "edison", "einstein", "elion", "engelbart", "euclid", "euler", "faraday",
        "fermat", "fermi", "feynman", "franklin", "galileo", "gauss", "goldberg", "goodall", "hamilton", "hawking",
        "heisenberg", "hermann", "hodgkin", "hoover", "hopper", "hypatia", "jackson", "jang", "jennings", "johnson",
        "joliot", "kalam", "keller", "kepler", "khorana", "kilby", "knuth", "kowalevski", "lalande", "lamarr", "lamport",
        "leakey", "lederberg", "lehmann", "lovelace", "lumiere", "mahavira", "margulis", "mayer", "mccarthy", "mcclintock",
        "meitner", "mendel", "merkle", "mirzakhani", "montalcini", "moore", "morse", "napier", "nash", "neumann", "newton",
        "nobel", "noether", "noyce", "pare", "pascal", "pasteur", "payne", "perlman", "pike", "poincare", "ptolemy",
        "raman", "ramanujan", "ritchie", "rosalind", "saha", "sammet", "shamir", "shannon", "shaw", "shockley", "sinoussi",
        "snyder", "spence", "stonebraker", "swanson", "tesla", "thompson", "torvalds", "turing", "varahamihira",
        "visvesvaraya", "volhard", "wescoff", "wiles", "williams", "wilson", "wing", "wozniak", "wright", "yalow", "yonath",
    ];

    public static string Next(Func<string, bool> taken)
    {
        for (int i = 0; ; i++)
        {
            var name = $"{Left[Random.Shared.Next(Left.Length)]}_{Right[Random.Shared.Next(Right.Length)]}";
            if (i > 5) name += Random.Shared.Next(10).ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (!taken(name)) return name;
        }
    }

    /// <summary>docker's rule for --name: [a-zA-Z0-9][a-zA-Z0-9_.-]+</summary>
    public static void Validate(string name)
    {
        bool ok = name.Length >= 2 && char.IsAsciiLetterOrDigit(name[0])
            && name.Skip(1).All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-');
        if (!ok) throw new BerthException($"Invalid container name ({name}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed");
    }

    /// <summary>64 hex digits from getrandom(2): the kernel's generator, without loading OpenSSL (which
    /// .NET's RandomNumberGenerator does, at a cost of milliseconds on every <c>run</c>).</summary>
    public static unsafe string NewId()
    {
        byte* bytes = stackalloc byte[32];
        nint got = 0;
        while (got < 32)
        {
            nint n = Runtime.Interop.Libc.getrandom(bytes + got, (nuint)(32 - got), 0);
            if (n < 0 && Runtime.Interop.Libc.Errno != Runtime.Interop.Libc.EINTR)
                throw new BerthException("getrandom failed: " + Runtime.Interop.Libc.Error(Runtime.Interop.Libc.Errno), BerthException.EngineError);
            if (n > 0) got += n;
        }
        return Convert.ToHexStringLower(new ReadOnlySpan<byte>(bytes, 32));
    }
}

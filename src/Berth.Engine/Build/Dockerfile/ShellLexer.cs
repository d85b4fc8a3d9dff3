using System.Text;

namespace Berth.Engine.Build.Dockerfile;

/// <summary>What expanding one word produced: the text, its shell words, and which variables it read.</summary>
public sealed record ExpansionResult(
    string Result,
    IReadOnlyList<string> Words,
    IReadOnlySet<string> Matched,
    IReadOnlySet<string> Unmatched);

/// <summary>A variable reference the lexer could not expand (<c>${x</c>, <c>${x:?msg}</c>, a bad pattern).</summary>
public sealed class ShellExpansionException(string message) : BerthException(message);

/// <summary>
/// The builder's shell-like word processor, with the semantics of BuildKit's
/// <c>frontend/dockerfile/shell</c> lexer: quote removal (<c>'...'</c> literal, <c>"..."</c> with
/// <c>$</c> and escapes), the escape character, <c>$VAR</c>, <c>${VAR}</c>, <c>${VAR:-w}</c>,
/// <c>${VAR-w}</c>, <c>${VAR:+w}</c>, <c>${VAR+w}</c>, <c>${VAR:?m}</c>, <c>${VAR?m}</c>,
/// <c>${VAR#p}</c>, <c>${VAR##p}</c>, <c>${VAR%p}</c>, <c>${VAR%%p}</c>, <c>${VAR/p/r}</c>,
/// <c>${VAR//p/r}</c>, and word splitting of unquoted expansions.
/// </summary>
public sealed class ShellLexer
{
    public char EscapeToken { get; }
    /// <summary>Keep quote characters in the output (used to see whether a heredoc word was quoted).</summary>
    public bool RawQuotes { get; init; }
    /// <summary>Keep escape characters in the output.</summary>
    public bool RawEscapes { get; init; }
    /// <summary>Treat quotes as ordinary characters (heredoc bodies are expanded this way).</summary>
    public bool SkipProcessQuotes { get; init; }
    /// <summary>Leave references to unset variables as written instead of expanding them to "".</summary>
    public bool SkipUnsetEnv { get; init; }

    public ShellLexer(char escapeToken = '\\') => EscapeToken = escapeToken;

    private static readonly IReadOnlyDictionary<string, string> NoVariables = new Dictionary<string, string>();

    /// <summary>Expands <paramref name="word"/> into one string (spaces between words are kept).</summary>
    public string ProcessWord(string word, IReadOnlyDictionary<string, string>? env) => Process(word, env).Result;

    /// <summary>Expands <paramref name="word"/> and splits it into shell words.</summary>
    public IReadOnlyList<string> ProcessWords(string word, IReadOnlyDictionary<string, string>? env) => Process(word, env).Words;

    public ExpansionResult Process(string word, IReadOnlyDictionary<string, string>? env)
    {
        var run = new Run(this, word, env ?? NoVariables);
        try
        {
            var (result, words) = run.StopOn(Run.Eof, RawEscapes);
            return new ExpansionResult(result, words, run.Matched, run.Unmatched);
        }
        catch (ShellExpansionException e)
        {
            throw new ShellExpansionException($"failed to process \"{word}\": {e.Message}");
        }
    }

    /// <summary>One pass over one word: a cursor, the variables read, and the escape mode in force.</summary>
    private sealed class Run(ShellLexer lexer, string text, IReadOnlyDictionary<string, string> env)
    {
        public const int Eof = -1;
        private int _pos;
        private bool _rawEscapes = lexer.RawEscapes;
        public HashSet<string> Matched { get; } = new(StringComparer.Ordinal);
        public HashSet<string> Unmatched { get; } = new(StringComparer.Ordinal);

        private int Peek() => _pos < text.Length ? text[_pos] : Eof;
        private int Next() => _pos < text.Length ? text[_pos++] : Eof;

        /// <summary>Processes up to <paramref name="stop"/> (consumed) or the end of the text.</summary>
        public (string Result, List<string> Words) StopOn(int stop, bool rawEscapes)
        {
            var result = new StringBuilder();
            var words = new WordCollector();
            bool saved = _rawEscapes;
            _rawEscapes = rawEscapes;
            try
            {
                while (Peek() != Eof)
                {
                    int ch = Peek();
                    if (stop != Eof && ch == stop)
                    {
                        Next();
                        return (result.ToString(), words.Finish());
                    }
                    if (ch == '$')
                    {
                        var value = Dollar();
                        result.Append(value);
                        words.AddString(value);
                    }
                    else if (ch == '<')
                    {
                        var value = PossibleHeredoc();
                        result.Append(value);
                        words.AddRawString(value);
                    }
                    else if (!lexer.SkipProcessQuotes && ch == '\'')
                    {
                        var value = SingleQuoted();
                        result.Append(value);
                        words.AddRawString(value);
                    }
                    else if (!lexer.SkipProcessQuotes && ch == '"')
                    {
                        var value = DoubleQuoted();
                        result.Append(value);
                        words.AddRawString(value);
                    }
                    else
                    {
                        ch = Next();
                        if (ch == lexer.EscapeToken)
                        {
                            if (_rawEscapes)
                            {
                                words.AddRawChar((char)ch);
                                result.Append((char)ch);
                            }
                            ch = Next();
                            if (ch == Eof) break; // an escape at the very end escapes nothing
                            words.AddRawChar((char)ch);
                        }
                        else
                        {
                            words.AddChar((char)ch);
                        }
                        result.Append((char)ch);
                    }
                }
                if (stop != Eof)
                    throw new ShellExpansionException($"unexpected end of statement while looking for matching {(char)stop}");
                return (result.ToString(), words.Finish());
            }
            finally
            {
                _rawEscapes = saved;
            }
        }

        private string SingleQuoted()
        {
            var sb = new StringBuilder();
            int ch = Next();
            if (lexer.RawQuotes) sb.Append((char)ch);
            while (true)
            {
                ch = Next();
                if (ch == Eof) throw new ShellExpansionException("unexpected end of statement while looking for matching single-quote");
                if (ch == '\'')
                {
                    if (lexer.RawQuotes) sb.Append('\'');
                    return sb.ToString();
                }
                sb.Append((char)ch);
            }
        }

        private string DoubleQuoted()
        {
            var sb = new StringBuilder();
            int ch = Next();
            if (lexer.RawQuotes) sb.Append((char)ch);
            while (true)
            {
                switch (Peek())
                {
                    case Eof:
                        throw new ShellExpansionException("unexpected end of statement while looking for matching double-quote");
                    case '"':
                        Next();
                        if (lexer.RawQuotes) sb.Append('"');
                        return sb.ToString();
                    case '$':
                        sb.Append(Dollar());
                        break;
                    default:
                        ch = Next();
                        if (ch == lexer.EscapeToken)
                        {
                            if (_rawEscapes) sb.Append((char)ch);
                            int next = Peek();
                            if (next == Eof) continue; // reported as an unterminated quote above
                            // Only ", $ and the escape itself can be escaped inside double quotes.
                            if (next == '"' || next == '$' || next == lexer.EscapeToken) ch = Next();
                        }
                        sb.Append((char)ch);
                        break;
                }
            }
        }

        private string Dollar()
        {
            Next(); // $
            if (Peek() != '{')
            {
                var bare = Name();
                if (bare.Length == 0) return "$";
                var (v, found) = Lookup(bare);
                if (!found && lexer.SkipUnsetEnv) return "$" + bare;
                return v;
            }
            Next(); // {
            switch (Peek())
            {
                case Eof: throw new ShellExpansionException("syntax error: missing '}'");
                case '{' or '}' or ':': throw new ShellExpansionException("syntax error: bad substitution");
            }
            var name = Name();
            int op = Next();
            string ops = OpText(op);
            bool nullIsUnset = false;
            switch (op)
            {
                case '}':
                    {
                        var (v, set) = Lookup(name);
                        if (!set && lexer.SkipUnsetEnv) return "${" + name + "}";
                        return v;
                    }
                case '/':
                    return Replace(name);
                case ':':
                    nullIsUnset = true;
                    op = Next();
                    ops += OpText(op);
                    break;
                case '+' or '-' or '?' or '#' or '%':
                    break;
                default:
                    throw new ShellExpansionException($"unsupported modifier ({ops}) in substitution");
            }
            return Modifier(name, op, ops, nullIsUnset);
        }

        private static string OpText(int op) => op == Eof ? "\uFFFD" : ((char)op).ToString();

        private string Modifier(string name, int op, string ops, bool nullIsUnset)
        {
            bool patternOp = op is '#' or '%';
            if (nullIsUnset && patternOp) throw new ShellExpansionException($"unsupported modifier ({ops}) in substitution");
            string word;
            try
            {
                word = StopOn('}', patternOp).Result;
            }
            catch (ShellExpansionException) when (Peek() == Eof)
            {
                throw new ShellExpansionException("syntax error: missing '}'");
            }
            var (value, set) = Lookup(name);
            if (lexer.SkipUnsetEnv && !set) return "${" + name + ops + word + "}";
            switch (op)
            {
                case '-':
                    return !set || (nullIsUnset && value.Length == 0) ? word : value;
                case '+':
                    return !set || (nullIsUnset && value.Length == 0) ? "" : word;
                case '?':
                    if (!set) throw new ShellExpansionException($"{name}: {(word.Length > 0 ? word : "is not allowed to be unset")}");
                    if (nullIsUnset && value.Length == 0)
                        throw new ShellExpansionException($"{name}: {(word.Length > 0 ? word : "is not allowed to be empty")}");
                    return value;
                case '#' or '%':
                    {
                        bool longest = word.Length > 0 && word[0] == op;
                        var pattern = ShellPattern.Compile(longest ? word[1..] : word);
                        return op == '#' ? pattern.TrimPrefix(value, longest) : pattern.TrimSuffix(value, longest);
                    }
                default:
                    throw new ShellExpansionException($"unsupported modifier ({ops}) in substitution");
            }
        }

        private string Replace(string name)
        {
            bool all = Peek() == '/';
            if (all) Next();
            string pattern, replacement;
            try { pattern = StopOn('/', true).Result; }
            catch (ShellExpansionException) when (Peek() == Eof) { throw new ShellExpansionException("syntax error: missing '/' in ${}"); }
            try { replacement = StopOn('}', true).Result; }
            catch (ShellExpansionException) when (Peek() == Eof) { throw new ShellExpansionException("syntax error: missing '}'"); }
            var (value, set) = Lookup(name);
            if (lexer.SkipUnsetEnv && !set) return "${" + name + "/" + pattern + "/" + replacement + "}";
            return ShellPattern.Compile(pattern).Replace(value, replacement, all);
        }

        /// <summary>A variable name: letters, digits and _, or all digits, or one special parameter.</summary>
        private string Name()
        {
            var sb = new StringBuilder();
            while (Peek() != Eof)
            {
                char ch = (char)Peek();
                if (sb.Length == 0 && char.IsDigit(ch))
                {
                    while (Peek() != Eof && char.IsDigit((char)Peek())) sb.Append((char)Next());
                    return sb.ToString();
                }
                if (sb.Length == 0 && IsSpecialParameter(ch))
                {
                    Next();
                    return ch.ToString();
                }
                if (!char.IsLetter(ch) && !char.IsDigit(ch) && ch != '_') break;
                sb.Append((char)Next());
            }
            return sb.ToString();
        }

        private static bool IsSpecialParameter(char ch) => ch is '@' or '*' or '#' or '?' or '-' or '$' or '!' or '0';

        private string PossibleHeredoc()
        {
            Next();
            if (Peek() != '<') return "<";
            Next();
            var sb = new StringBuilder("<<");
            while (Peek() is '\t' or '\r' or ' ') sb.Append((char)Next());
            return sb.ToString();
        }

        private (string Value, bool Set) Lookup(string name)
        {
            if (env.TryGetValue(name, out var v))
            {
                Matched.Add(name);
                return (v, true);
            }
            Unmatched.Add(name);
            return ("", false);
        }
    }

    /// <summary>Collects shell words: unquoted whitespace separates, quoted text never does.</summary>
    private sealed class WordCollector
    {
        private readonly StringBuilder _buf = new();
        private readonly List<string> _words = [];
        private bool _inWord;

        public void AddChar(char ch)
        {
            if (char.IsWhiteSpace(ch))
            {
                if (_inWord && _buf.Length != 0)
                {
                    _words.Add(_buf.ToString());
                    _buf.Clear();
                    _inWord = false;
                }
                return;
            }
            AddRawChar(ch);
        }

        public void AddRawChar(char ch)
        {
            _buf.Append(ch);
            _inWord = true;
        }

        public void AddString(string s)
        {
            foreach (var ch in s) AddChar(ch);
        }

        public void AddRawString(string s)
        {
            _buf.Append(s);
            _inWord = true;
        }

        public List<string> Finish()
        {
            if (_buf.Length > 0)
            {
                _words.Add(_buf.ToString());
                _buf.Clear();
                _inWord = false;
            }
            return _words;
        }
    }
}

using System.Text;
using Berth.Engine.Build.Context;
using Berth.Engine.Build.Dockerfile;
using Berth.Engine.Build.Planning;

namespace Berth.Engine.Tests.Build;

/// <summary>
/// Random and mutated inputs: the parser may only answer with an AST or a one-line
/// <see cref="DockerfileSyntaxException"/>; the planner, the lexer and the ignore matcher likewise
/// only with their own exceptions. Seeds are fixed so a failure reproduces.
/// </summary>
public class DockerfileFuzzTests
{
    private static readonly string[] Seeds =
    [
        File.ReadAllText("/work/shared/testdata/fixture-src/Dockerfile"),
        "# syntax=docker/dockerfile:1\n# escape=`\n\nFROM --platform=$BUILDPLATFORM golang:1.22 AS build\nRUN go build `\n  -o /out/app\nFROM scratch\nCOPY --from=build /out/app /app\n",
        "ARG V=1\nFROM busybox:$V AS base\nONBUILD RUN <<EOF\necho hi\nEOF\nFROM base\nCOPY <<-EOT /x\n\thello ${V}\n\tEOT\nRUN <<A cat && <<\"B\" cat\na\nA\nb\nB\n",
        "FROM alpine\nENV A=1 B=\"two words\" C=${A:-x}\nLABEL k=v \"q k\"='v v'\nEXPOSE 80/tcp ${P:-443}\nVOLUME [\"/data\"]\nUSER 1:1\nWORKDIR /w\n" +
            "HEALTHCHECK --interval=5s --retries=3 CMD [\"check\"]\nSHELL [\"/bin/sh\", \"-c\"]\nSTOPSIGNAL SIGINT\nMAINTAINER me\nCMD echo $A\nENTRYPOINT [\"e\"]\n",
        "FROM a\nRUN --mount=type=cache,target=/c,id=x --mount=from=b,target=/m --network=none make \\\n  # comment\n\n  all\nADD --checksum=sha256:00 --chown=1 https://x/y.tgz /z/\n",
    ];

    private const string Alphabet = "RUNFROMCOPYADDENVARGLABELaz09 \t\n\r\\`\"'$#{}[]<>-=:,/*?!@%&.|;\u00e9\u4e2d\ud83d\ude00";

    private static readonly string[] Fragments =
    [
        "FROM ", "RUN ", "COPY ", "ADD ", "ENV ", "ARG ", "LABEL ", "ONBUILD ", "HEALTHCHECK ", "SHELL ", "CMD ",
        "EXPOSE ", "VOLUME ", "USER ", "WORKDIR ", "STOPSIGNAL ", "MAINTAINER ", "ENTRYPOINT ", " AS ", "--from=",
        "--mount=", "--platform=", "--chown=", "--network=", "--interval=", "--retries=", "--", "<<EOF", "<<-\"EOF\"",
        "EOF", "\nEOF\n", "${", "}", "${A:-", "${A#", "${A//x/y}", "[\"", "\"]", "[", "]", "\\\n", "`\n", "# escape=`\n",
        "# syntax=x\n", "NONE", " CMD ", "=", "\"", "'", "\n", " ", "type=cache,target=/x", "from=0,target=/y", "scratch",
    ];

    private static string Mutate(string text, Random rng)
    {
        var sb = new StringBuilder(text);
        for (int n = rng.Next(1, 6); n > 0; n--)
        {
            int pos = sb.Length == 0 ? 0 : rng.Next(sb.Length + 1);
            switch (rng.Next(6))
            {
                case 0: sb.Insert(pos, Alphabet[rng.Next(Alphabet.Length)]); break;
                case 1: sb.Insert(pos, Fragments[rng.Next(Fragments.Length)]); break;
                case 2:
                    if (sb.Length > 0) sb.Remove(Math.Min(pos, sb.Length - 1), Math.Min(rng.Next(1, 8), sb.Length - Math.Min(pos, sb.Length - 1)));
                    break;
                case 3:
                    if (sb.Length > 0)
                    {
                        int start = rng.Next(sb.Length), len = Math.Min(rng.Next(1, 40), sb.Length - start);
                        sb.Insert(rng.Next(sb.Length + 1), sb.ToString(start, len));
                    }
                    break;
                case 4: sb.Length = Math.Min(sb.Length, pos); break;
                default: sb.Insert(pos, (char)rng.Next(0, 0x3000)); break;
            }
        }
        return sb.ToString();
    }

    private static string Generate(Random rng)
    {
        var sb = new StringBuilder();
        for (int n = rng.Next(1, 30); n > 0; n--)
            sb.Append(rng.Next(4) == 0 ? Alphabet[rng.Next(Alphabet.Length)].ToString() : Fragments[rng.Next(Fragments.Length)]);
        return sb.ToString();
    }

    private static IEnumerable<string> Inputs(int seed, int count)
    {
        var rng = new Random(seed);
        for (int i = 0; i < count; i++)
        {
            yield return (i % 3) switch
            {
                0 => Generate(rng),
                1 => Mutate(Seeds[rng.Next(Seeds.Length)], rng),
                _ => Mutate(Mutate(Seeds[rng.Next(Seeds.Length)], rng), rng),
            };
        }
    }

    [Fact]
    public void SeedsParseAndPlan()
    {
        foreach (var seed in Seeds)
            BuildPlanner.Plan(DockerfileParser.Parse(seed), BuildArgs.Empty);
    }

    [Fact]
    public void ParserAndPlannerOnlyFailWithTheirOwnErrors()
    {
        int parsed = 0, planned = 0;
        foreach (var input in Inputs(seed: 20240601, count: 20000))
        {
            DockerfileAst ast;
            try
            {
                ast = DockerfileParser.Parse(input);
                parsed++;
            }
            catch (DockerfileSyntaxException e)
            {
                Assert.DoesNotContain('\n', e.Message);
                Assert.DoesNotContain('\r', e.Message);
                Assert.InRange(e.Location.Line, 1, input.Count(c => c == '\n') + 1);
                Assert.StartsWith("Dockerfile:", e.Message);
                continue;
            }
            catch (Exception e)
            {
                Assert.Fail($"parser crashed with {e.GetType().Name}: {e.Message}\ninput: {Escape(input)}\n{e.StackTrace}");
                throw;
            }
            try
            {
                BuildPlanner.Plan(ast, BuildArgs.Parse(["A=1", "P=80"], _ => null));
                planned++;
            }
            catch (BerthException e)
            {
                Assert.DoesNotContain('\n', e.Message);
            }
            catch (Exception e)
            {
                Assert.Fail($"planner crashed with {e.GetType().Name}: {e.Message}\ninput: {Escape(input)}\n{e.StackTrace}");
            }
        }
        // The corpus must exercise both outcomes, or it tests nothing.
        Assert.True(parsed > 1000, $"only {parsed} inputs parsed");
        Assert.True(planned > 500, $"only {planned} inputs planned");
    }

    [Fact]
    public void LexerOnlyFailsWithExpansionErrors()
    {
        var env = new Dictionary<string, string> { ["A"] = "a b", ["EMPTY"] = "", ["P"] = "x*y?" };
        var lexers = new[]
        {
            new ShellLexer('\\'), new ShellLexer('`'), new ShellLexer('\\') { RawQuotes = true, RawEscapes = true, SkipUnsetEnv = true },
            new ShellLexer('\\') { SkipProcessQuotes = true },
        };
        foreach (var input in Inputs(seed: 7, count: 20000))
        {
            foreach (var lexer in lexers)
            {
                try
                {
                    lexer.ProcessWord(input, env);
                    lexer.ProcessWords(input, env);
                }
                catch (ShellExpansionException)
                {
                }
                catch (Exception e)
                {
                    Assert.Fail($"lexer crashed with {e.GetType().Name}: {e.Message}\ninput: {Escape(input)}");
                }
            }
        }
    }

    [Fact]
    public void IgnoreMatcherOnlyFailsOnBadPatterns()
    {
        var rng = new Random(99);
        const string chars = "ab*?[]^-\\/!.~ \t#";
        for (int i = 0; i < 20000; i++)
        {
            var patterns = Enumerable.Range(0, rng.Next(1, 4))
                .Select(_ => new string([.. Enumerable.Range(0, rng.Next(0, 10)).Select(_ => chars[rng.Next(chars.Length)])]))
                .ToList();
            IgnoreMatcher matcher;
            try { matcher = IgnoreMatcher.Create(patterns); }
            catch (BerthException) { continue; }
            catch (Exception e)
            {
                Assert.Fail($"Create crashed with {e.GetType().Name} on [{string.Join(" | ", patterns)}]");
                throw;
            }
            var path = new string([.. Enumerable.Range(0, rng.Next(0, 12)).Select(_ => chars[rng.Next(chars.Length)])]);
            matcher.IsExcluded(path);
            matcher.CanSkipDirectory(path);
            matcher.IsExcluded(path, default, out _);
        }
    }

    private static string Escape(string s) => s.Replace("\\", "\\\\").Replace("\n", "\\n").Replace("\r", "\\r").Replace("\t", "\\t");
}

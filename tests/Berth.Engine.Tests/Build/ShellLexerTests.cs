using Berth.Engine.Build.Dockerfile;

namespace Berth.Engine.Tests.Build;

public class ShellLexerTests
{
    private static readonly Dictionary<string, string> Env = new()
    {
        ["HOME"] = "/root",
        ["SHELL"] = "sh",
        ["GREETING"] = "grüße",
        ["EMPTY"] = "",
    };

    private static readonly ShellLexer Lexer = new('\\');

    [Theory]
    // plain text, quotes and escapes
    [InlineData("plain", "plain")]
    [InlineData("pl'ai'n", "plain")]
    [InlineData("a\\'b", "a'b")]
    [InlineData("a\\tb", "atb")]
    [InlineData("\"a\\tb\"", "a\\tb")]
    [InlineData("\"a\\\\tb\"", "a\\tb")]
    [InlineData("'a\\tb'", "a\\tb")]
    [InlineData("'a\\\\b'", "a\\\\b")]
    [InlineData("end\\", "end")]
    [InlineData("end\\\\", "end\\")]
    [InlineData("'single\\'", "single\\")]
    [InlineData("\"dq'inside\"", "dq'inside")]
    [InlineData("'\"dq\"'", "\"dq\"")]
    [InlineData("\"''\"", "''")]
    // variables
    [InlineData("$HOME", "/root")]
    [InlineData("x$HOME/y", "x/root/y")]
    [InlineData("x${HOME}y", "x/rooty")]
    [InlineData("$home", "")]
    [InlineData("$.", "$.")]
    [InlineData("a$", "a$")]
    [InlineData("a$1b", "ab")]
    [InlineData("a$123b", "ab")]
    [InlineData("$@@", "@")]
    [InlineData("${0:-zero}", "zero")]
    [InlineData("\\$HOME", "$HOME")]
    [InlineData("\\\\$HOME", "\\/root")]
    [InlineData("\"\\$HOME\"", "$HOME")]
    [InlineData("\"\\\\$HOME\"", "\\/root")]
    [InlineData("'$HOME'", "$HOME")]
    [InlineData("\"it's $HOME\"", "it's /root")]
    [InlineData("\\${}", "${}")]
    [InlineData("$GREETING!", "grüße!")]
    [InlineData("${HOME}}", "/root}")]
    // modifiers
    [InlineData("${NOPE:-dflt}", "dflt")]
    [InlineData("${HOME:-dflt}", "/root")]
    [InlineData("${EMPTY:-dflt}", "dflt")]
    [InlineData("${EMPTY-dflt}", "")]
    [InlineData("${NOPE-dflt}", "dflt")]
    [InlineData("${NOPE:-$HOME}", "/root")]
    [InlineData("${NOPE:-${NADA:-deep}}", "deep")]
    [InlineData("${NOPE:-a b {c}", "a b {c")]
    [InlineData("${NOPE:-\\$HOME}", "$HOME")]
    [InlineData("${NOPE:-\\${HOME}x}", "${HOMEx}")]
    [InlineData("${HOME:+set}", "set")]
    [InlineData("${EMPTY:+set}", "")]
    [InlineData("${EMPTY+set}", "set")]
    [InlineData("${NOPE+set}", "")]
    [InlineData("${HOME:+${SHELL}}", "sh")]
    [InlineData("${HOME:+${HOME}:}", "/root:")]
    [InlineData("${HOME?}", "/root")]
    [InlineData("${EMPTY?}", "")]
    [InlineData("${HOME:?}", "/root")]
    // patterns
    [InlineData("${HOME#/}", "root")]
    [InlineData("${HOME#*o}", "ot")]
    [InlineData("${HOME##*o}", "t")]
    [InlineData("${HOME%o*}", "/ro")]
    [InlineData("${HOME%%o*}", "/r")]
    [InlineData("${HOME#}", "/root")]
    [InlineData("${HOME%}", "/root")]
    [InlineData("${HOME/o/0}", "/r0ot")]
    [InlineData("${HOME//o/0}", "/r00t")]
    [InlineData("${HOME//\\//:}", ":root")]
    [InlineData("${HOME/r?o/X}", "/Xt")]
    [InlineData("${HOME/*/X}", "X")]
    [InlineData("${HOME///}", "/root")]
    [InlineData("${NOPE/a/b}", "")]
    public void ExpandsLikeBuildKit(string word, string expected)
    {
        Assert.Equal(expected, Lexer.ProcessWord(word, Env));
    }

    [Theory]
    [InlineData("it'll")]
    [InlineData("a\\\\'b")]
    [InlineData("\"open")]
    [InlineData("\"open\\\"")]
    [InlineData("'open")]
    [InlineData("${}")]
    [InlineData("a${}b")]
    [InlineData("${.}")]
    [InlineData("${HOME")]
    [InlineData("${HOME:=x}")]
    [InlineData("${HOME:x}")]
    [InlineData("${{HOME}")]
    [InlineData("${:}")]
    [InlineData("${:-x}")]
    [InlineData("${NOPE:-a ${HOME}")]
    [InlineData("${NOPE?}")]
    [InlineData("${NOPE:?}")]
    [InlineData("${EMPTY:?}")]
    [InlineData("${HOME:#x}")]
    [InlineData("${HOME:%%x}")]
    [InlineData("${HOME//x}")]
    [InlineData("${HOME/x/y")]
    [InlineData("${HOME#\\x}")]
    public void RejectsWhatBuildKitRejects(string word)
    {
        var e = Assert.Throws<ShellExpansionException>(() => Lexer.ProcessWord(word, Env));
        Assert.StartsWith($"failed to process \"{word}\"", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void RequiredVariableMessages()
    {
        var unset = Assert.Throws<ShellExpansionException>(() => Lexer.ProcessWord("${NOPE:?set NOPE for $SHELL}", Env));
        Assert.EndsWith("NOPE: set NOPE for sh", unset.Message);
        var empty = Assert.Throws<ShellExpansionException>(() => Lexer.ProcessWord("${EMPTY:?}", Env));
        Assert.EndsWith("EMPTY: is not allowed to be empty", empty.Message);
        var plain = Assert.Throws<ShellExpansionException>(() => Lexer.ProcessWord("${NOPE?}", Env));
        Assert.EndsWith("NOPE: is not allowed to be unset", plain.Message);
    }

    [Fact]
    public void PatternEscapesAndGlobsInValues()
    {
        var env = new Dictionary<string, string> { ["V"] = "a***yy*", ["P"] = "/x*/*/*.txt", ["N"] = "\\*/", ["Q"] = "???y" };
        Assert.Equal("a", Lexer.ProcessWord("${V%%\\**\\*}", env));
        Assert.Equal("/x.*/*.txt - /x..*.txt", Lexer.ProcessWord("${P/$N/.} - ${P//$N/.}", env));
        Assert.Equal("?y", Lexer.ProcessWord("${Q#?\\?}", env));
    }

    [Fact]
    public void ReportsMatchedAndUnmatchedVariables()
    {
        var r = Lexer.Process("${HOME:-a} ${EMPTY-b} ${NOPE:-c} $SHELL", Env);
        Assert.Equal("/root  c sh", r.Result);
        Assert.Equal(["EMPTY", "HOME", "SHELL"], r.Matched.Order());
        Assert.Equal(["NOPE"], r.Unmatched.Order());
    }

    [Theory]
    [InlineData("hello", new[] { "hello" })]
    [InlineData("hello there   ", new[] { "hello", "there" })]
    [InlineData("hello\\ there", new[] { "hello there" })]
    [InlineData("hello\" there  \"", new[] { "hello there  " })]
    [InlineData("hello\\\" there", new[] { "hello\"", "there" })]
    [InlineData("a${SPACED}b", new[] { "aone", "two", "b" })]
    [InlineData("a\"${SPACED}\"b", new[] { "aone  two b" })]
    [InlineData("x ${LEAD}", new[] { "x", "lead" })]
    [InlineData("\"\" a", new[] { "a" })]
    [InlineData("80/tcp ${PORTS}", new[] { "80/tcp", "443", "8080/udp" })]
    public void SplitsWordsAfterExpansion(string text, string[] words)
    {
        var env = new Dictionary<string, string> { ["SPACED"] = "one  two ", ["LEAD"] = "  lead", ["PORTS"] = "443 8080/udp" };
        Assert.Equal(words, Lexer.ProcessWords(text, env));
    }

    [Fact]
    public void BacktickEscape()
    {
        var lexer = new ShellLexer('`');
        Assert.Equal("c:\\dir $HOME", lexer.ProcessWord("c:\\dir `$HOME", Env));
        Assert.Equal("a\"b", lexer.ProcessWord("\"a`\"b\"", Env));
    }

    [Fact]
    public void SkipUnsetEnvLeavesUnknownReferences()
    {
        var lexer = new ShellLexer('\\') { SkipUnsetEnv = true };
        Assert.Equal("$NOPE ${NOPE} ${NOPE:-x} /root", lexer.ProcessWord("$NOPE ${NOPE} ${NOPE:-x} $HOME", Env));
    }

    [Fact]
    public void SkipProcessQuotesTreatsQuotesAsText()
    {
        var lexer = new ShellLexer('\\') { SkipProcessQuotes = true };
        Assert.Equal("echo \"hello /root\" '/root'", lexer.ProcessWord("echo \"hello $HOME\" '$HOME'", Env));
    }
}

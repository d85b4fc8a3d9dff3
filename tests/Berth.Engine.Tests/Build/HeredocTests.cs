using Berth.Engine.Build.Dockerfile;

namespace Berth.Engine.Tests.Build;

public class HeredocTests
{
    private static IReadOnlyList<Instruction> Parse(string body) =>
        DockerfileParser.Parse("FROM alpine\n" + body).Stages[0].Instructions;

    [Fact]
    public void RunWithOnlyAHeredocKeepsTheScript()
    {
        var run = Assert.IsType<RunInstruction>(Assert.Single(Parse("RUN <<EOT\n  mkdir -p foo/bar\nEOT\n")));
        Assert.Equal(["<<EOT"], run.Command.Args);
        var doc = Assert.Single(run.Heredocs);
        Assert.Equal("EOT", doc.Name);
        Assert.Equal("  mkdir -p foo/bar\n", doc.Content);
        Assert.True(doc.Expand);
        Assert.False(doc.Chomp);
        Assert.Equal(4, run.EndLine);
    }

    [Fact]
    public void HeredocFeedingACommand()
    {
        var run = Assert.IsType<RunInstruction>(Assert.Single(Parse("RUN <<EOT bash\n  set -ex\n  apt-get update\n  apt-get install -y vim\nEOT\n")));
        Assert.Equal(["<<EOT bash"], run.Command.Args);
        Assert.Equal("  set -ex\n  apt-get update\n  apt-get install -y vim\n", run.Heredocs[0].Content);
    }

    [Fact]
    public void ShebangScriptBody()
    {
        var run = Assert.IsType<RunInstruction>(Assert.Single(Parse("RUN <<EOT\n#!/usr/bin/env python\nprint(\"hello world\")\nEOT\n")));
        Assert.StartsWith("#!/usr/bin/env python\n", run.Heredocs[0].Content);
    }

    [Fact]
    public void SeveralHeredocsOnOneLineAreReadInOrder()
    {
        var run = Assert.IsType<RunInstruction>(Assert.Single(Parse("RUN <<FILE1 cat > file1 && <<FILE2 cat > file2\nI am\nfirst\nFILE1\nI am\nsecond\nFILE2\nRUN echo after\n".Replace("RUN echo after\n", ""))));
        Assert.Equal(["FILE1", "FILE2"], run.Heredocs.Select(h => h.Name));
        Assert.Equal("I am\nfirst\n", run.Heredocs[0].Content);
        Assert.Equal("I am\nsecond\n", run.Heredocs[1].Content);
        Assert.Equal(8, run.EndLine);
    }

    [Fact]
    public void InstructionsAfterAHeredocParseNormally()
    {
        var all = Parse("RUN <<EOF\necho hi\nEOF\nRUN echo after\n");
        Assert.Equal(2, all.Count);
        Assert.Equal(5, all[1].Location.Line);
    }

    [Fact]
    public void BodyIsVerbatim()
    {
        // Comment-looking lines, trailing escapes and blank lines are content, not syntax.
        var run = Assert.IsType<RunInstruction>(Assert.Single(Parse("RUN <<EOF\n# not a comment \\\n\n  $HOME \"x\"\nEOF\n")));
        Assert.Equal("# not a comment \\\n\n  $HOME \"x\"\n", run.Heredocs[0].Content);
    }

    [Fact]
    public void TerminatorMustMatchTheWholeLine()
    {
        var run = Assert.IsType<RunInstruction>(Assert.Single(Parse("RUN <<EOF\nEOF \n EOF\nEOFX\nEOF\n")));
        Assert.Equal("EOF \n EOF\nEOFX\n", run.Heredocs[0].Content);
    }

    [Fact]
    public void DashFormStripsLeadingTabs()
    {
        var run = Assert.IsType<RunInstruction>(Assert.Single(Parse("RUN <<-EOF\n\t\techo a\n\t  echo b\n\tEOF\n")));
        var doc = run.Heredocs[0];
        Assert.True(doc.Chomp);
        Assert.Equal("\t\techo a\n\t  echo b\n", doc.Content);
        Assert.Equal("echo a\n  echo b\n", doc.EffectiveContent);
    }

    [Theory]
    [InlineData("<<\"EOF\"", false)]
    [InlineData("<<'EOF'", false)]
    [InlineData("<<E\"O\"F", false)]
    [InlineData("<<EOF", true)]
    [InlineData("<< EOF", true)]
    [InlineData("<<-\"EOF\"", false)]
    public void QuotingTheWordDisablesExpansion(string opener, bool expand)
    {
        var run = Assert.IsType<RunInstruction>(Assert.Single(Parse($"RUN {opener}\necho $HOME\nEOF\n")));
        Assert.Equal("EOF", run.Heredocs[0].Name);
        Assert.Equal(expand, run.Heredocs[0].Expand);
    }

    [Theory]
    [InlineData("RUN <<eo'f'", "eof", false)]
    [InlineData("RUN <<eo\\'f", "eo'f", true)]
    [InlineData("RUN <<'e'o\\'f", "eo'f", false)]
    [InlineData("RUN <<'two words'", "two words", false)]
    [InlineData("RUN <<$EOF", "$EOF", true)]
    [InlineData("RUN <<  END  > foo", "END", true)]
    [InlineData("RUN --mount=type=cache,target=/foo <<file.txt", "file.txt", true)]
    public void HeredocWordForms(string line, string name, bool expand)
    {
        var run = Assert.IsType<RunInstruction>(Assert.Single(Parse($"{line}\nbody\n{name}\n")));
        var doc = Assert.Single(run.Heredocs);
        Assert.Equal(name, doc.Name);
        Assert.Equal(expand, doc.Expand);
        Assert.Equal("body\n", doc.Content);
    }

    [Fact]
    public void TerminatorsAreMatchedInOrder()
    {
        var copy = Assert.IsType<CopyInstruction>(Assert.Single(Parse("COPY <<X <<Y /dest\nY\nX\nX\nY\n")));
        Assert.Equal(["Y\n", "X\n"], copy.InlineFiles.Select(f => f.Content));
        Assert.Empty(Assert.IsType<RunInstruction>(Assert.Single(Parse("RUN \"<<NOHEREDOC\"\n"))).Heredocs);
    }

    [Fact]
    public void FileDescriptorPrefix()
    {
        var run = Assert.IsType<RunInstruction>(Assert.Single(Parse("RUN cat 3<<EOF\nx\nEOF\n")));
        Assert.Equal(3, run.Heredocs[0].FileDescriptor);
    }

    [Fact]
    public void CopyHeredocCreatesAnInlineFile()
    {
        var copy = Assert.IsType<CopyInstruction>(Assert.Single(Parse("COPY <<EOF greeting.txt\nhello world\nEOF\n")));
        Assert.Empty(copy.Sources);
        Assert.Equal("greeting.txt", copy.Destination);
        Assert.Equal(new InlineFile("EOF", "hello world\n", true), Assert.Single(copy.InlineFiles));
    }

    [Fact]
    public void CopyHeredocWithDashAndQuotes()
    {
        var all = Parse("ARG FOO=bar\nCOPY <<-EOT /script.sh\n\techo \"hello ${FOO}\"\n\tEOT\nCOPY <<-\"EOT\" /script2.sh\n  echo \"hello ${FOO}\"\nEOT\n");
        var first = Assert.IsType<CopyInstruction>(all[1]);
        Assert.Equal(new InlineFile("EOT", "echo \"hello ${FOO}\"\n", true), first.InlineFiles[0]);
        var second = Assert.IsType<CopyInstruction>(all[2]);
        Assert.Equal(new InlineFile("EOT", "  echo \"hello ${FOO}\"\n", false), second.InlineFiles[0]);
    }

    [Fact]
    public void CopyMixesHeredocsAndPaths()
    {
        var copy = Assert.IsType<CopyInstruction>(Assert.Single(Parse("COPY a.txt <<ONE <<TWO /dst/\n1\nONE\n2\nTWO\n")));
        Assert.Equal(["a.txt"], copy.Sources);
        Assert.Equal(["ONE", "TWO"], copy.InlineFiles.Select(f => f.Name));
        Assert.Equal(["1\n", "2\n"], copy.InlineFiles.Select(f => f.Content));
    }

    [Fact]
    public void ExecFormAndOtherInstructionsOpenNoHeredoc()
    {
        var all = Parse("RUN [\"echo\", \"<<EOF\"]\nENV A=<<EOF\n");
        Assert.Empty(Assert.IsType<RunInstruction>(all[0]).Heredocs);
        Assert.Equal("<<EOF", Assert.IsType<EnvInstruction>(all[1]).Variables[0].Value);
        // "EOF" on its own line is then an unknown instruction.
        Assert.Contains("unknown instruction: EOF", Assert.Throws<DockerfileSyntaxException>(() => Parse("ENV A=<<EOF\nEOF\n")).Message);
    }

    [Fact]
    public void OnbuildHeredocIsPartOfTheTrigger()
    {
        var onbuild = Assert.IsType<OnbuildInstruction>(Assert.Single(Parse("ONBUILD RUN <<EOF\necho hi\nEOF\n")));
        var run = Assert.IsType<RunInstruction>(onbuild.Trigger);
        Assert.Equal("echo hi\n", run.Heredocs[0].Content);
        Assert.Equal("RUN <<EOF\necho hi\nEOF", onbuild.Expression);
        // The stored expression parses back to the same trigger.
        var again = Assert.IsType<RunInstruction>(DockerfileParser.ParseTrigger(onbuild.Expression, onbuild.Location));
        Assert.Equal("echo hi\n", again.Heredocs[0].Content);
    }

    [Fact]
    public void UnterminatedHeredocPointsAtTheInstruction()
    {
        var e = Assert.Throws<DockerfileSyntaxException>(() => Parse("RUN <<EOF\necho hi\n"));
        Assert.StartsWith("Dockerfile:2:1: unterminated heredoc", e.Message);
        Assert.Equal("RUN <<EOF", e.SourceLine);
    }

    [Fact]
    public void LessThanThatIsNotAHeredoc()
    {
        var run = Assert.IsType<RunInstruction>(Assert.Single(Parse("RUN echo a<<b && cat < x && echo '<<EOF'\n")));
        Assert.Empty(run.Heredocs);
    }
}

public class RunCommandTests
{
    private static RunInstruction Run(string body) =>
        Assert.IsType<RunInstruction>(DockerfileParser.Parse("FROM alpine\n" + body).Stages[0].Instructions.Single());

    [Fact]
    public void PlainCommandsAreUnchanged()
    {
        var shell = Run("RUN echo hi\n").Resolve();
        Assert.Equal(["echo hi"], shell.Args);
        Assert.True(shell.PrependShell);
        Assert.Null(shell.ScriptFile);
        var exec = Run("RUN [\"echo\", \"hi\"]\n").Resolve();
        Assert.Equal(["echo", "hi"], exec.Args);
        Assert.False(exec.PrependShell);
    }

    [Fact]
    public void BareHeredocRunsItsBodyWithTheShell()
    {
        var cmd = Run("RUN <<-EOF\n\tmkdir -p foo/bar\n\tEOF\n").Resolve();
        Assert.Equal(["mkdir -p foo/bar\n"], cmd.Args);
        Assert.True(cmd.PrependShell);
        Assert.Null(cmd.ScriptFile);
    }

    [Fact]
    public void ShebangBodyBecomesAnExecutableFile()
    {
        var cmd = Run("RUN <<EOT\n#!/usr/bin/env python\nprint(\"hello world\")\nEOT\n").Resolve();
        Assert.Equal(["/dev/pipes/EOT"], cmd.Args);
        Assert.False(cmd.PrependShell);
        Assert.Equal(new InlineFile("EOT", "#!/usr/bin/env python\nprint(\"hello world\")\n", false), cmd.ScriptFile);
    }

    [Fact]
    public void HeredocsInALongerCommandAreAppendedForTheShell()
    {
        var cmd = Run("RUN <<FILE1 cat > file1 && <<FILE2 cat > file2\nI am\nfirst\nFILE1\nI am\nsecond\nFILE2\n").Resolve();
        Assert.Equal(["<<FILE1 cat > file1 && <<FILE2 cat > file2\nI am\nfirst\nFILE1\nI am\nsecond\nFILE2"], cmd.Args);
        Assert.True(cmd.PrependShell);
    }
}

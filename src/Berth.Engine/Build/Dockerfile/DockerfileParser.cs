namespace Berth.Engine.Build.Dockerfile;

/// <summary>
/// Parses Dockerfile text into a <see cref="DockerfileAst"/>. Pure: no files, no expansion. Every
/// problem is a <see cref="DockerfileSyntaxException"/> naming file, line and column.
/// </summary>
public static class DockerfileParser
{
    /// <param name="text">The Dockerfile's content.</param>
    /// <param name="fileName">The name errors show (<c>Dockerfile</c>, <c>build/app.Dockerfile</c>).</param>
    public static DockerfileAst Parse(string text, string fileName = "Dockerfile")
    {
        var (reader, instructions) = ParseInstructions(text, fileName);
        var ast = new DockerfileAst
        {
            FileName = fileName,
            Directives = reader.Directives,
            Instructions = instructions,
            GlobalArgs = [],
            Stages = [],
            Warnings = reader.Warnings,
            Lines = reader.Lines,
        };
        if (instructions.Count == 0)
            throw ast.Error(new SourceLocation(fileName, Math.Max(1, reader.CurrentLine), 1), "file with no instructions: a Dockerfile starts with FROM <image>");
        return GroupStages(ast);
    }

    /// <summary>
    /// Parses an ONBUILD trigger taken from a base image's config (<c>RUN make</c>, possibly with
    /// here-document bodies after newlines). Errors are reported at <paramref name="at"/>, the FROM
    /// that pulled the trigger in.
    /// </summary>
    public static Instruction ParseTrigger(string expression, SourceLocation at, string fromLine = "")
    {
        List<Instruction> instructions;
        try
        {
            instructions = ParseInstructions(expression, at.File).Instructions;
        }
        catch (DockerfileSyntaxException e)
        {
            throw new DockerfileSyntaxException(at, $"invalid ONBUILD trigger \"{FirstLine(expression)}\" in base image: {e.Reason}", fromLine);
        }
        if (instructions.Count != 1)
            throw new DockerfileSyntaxException(at, $"invalid ONBUILD trigger \"{FirstLine(expression)}\" in base image: a trigger is a single instruction", fromLine);
        var trigger = instructions[0];
        if (trigger is FromInstruction or MaintainerInstruction or OnbuildInstruction)
            throw new DockerfileSyntaxException(at, $"{trigger.Keyword} isn't allowed as an ONBUILD trigger", fromLine);
        return trigger with { Location = at, EndLine = at.Line };
    }

    private static (LineReader Reader, List<Instruction> Instructions) ParseInstructions(string text, string fileName)
    {
        var reader = new LineReader(text, fileName);
        var instructions = new List<Instruction>();
        InstructionParser? parser = null;
        while (reader.Next() is { } line)
        {
            // The escape character is settled once the first instruction line is reached.
            parser ??= new InstructionParser(fileName, reader.Directives.Escape, reader);
            instructions.Add(parser.Parse(line));
        }
        return (reader, instructions);
    }

    private static string FirstLine(string text)
    {
        int nl = text.IndexOf('\n');
        return nl < 0 ? text : text[..nl];
    }

    /// <summary>ARGs before the first FROM are global; every FROM opens a stage that takes what follows.</summary>
    private static DockerfileAst GroupStages(DockerfileAst ast)
    {
        var globalArgs = new List<ArgInstruction>();
        var stages = new List<DockerfileStage>();
        FromInstruction? from = null;
        List<Instruction> body = [];
        foreach (var instruction in ast.Instructions)
        {
            if (instruction is FromInstruction f)
            {
                if (from is not null) stages.Add(new DockerfileStage(stages.Count, from, body));
                from = f;
                body = [];
            }
            else if (from is not null)
            {
                body.Add(instruction);
            }
            else if (instruction is ArgInstruction arg)
            {
                globalArgs.Add(arg);
            }
            else
            {
                throw ast.Error(instruction.Location,
                    $"{instruction.Keyword} before the first FROM: a build stage starts with FROM <image> (only ARG may come before it)");
            }
        }
        if (from is null)
        {
            var last = ast.Instructions[^1];
            throw ast.Error(last.Location, "the Dockerfile has no FROM: add FROM <image> to start a build stage");
        }
        stages.Add(new DockerfileStage(stages.Count, from, body));
        return ast with { GlobalArgs = globalArgs, Stages = stages };
    }
}

namespace Berth.Engine.Build.Dockerfile;

/// <summary><c>FROM [--platform=p] image [AS name]</c>: starts a build stage.</summary>
public sealed record FromInstruction : Instruction
{
    /// <summary>The image, stage name or <c>scratch</c>, before ARG expansion.</summary>
    public required string BaseName { get; init; }
    /// <summary>The <c>AS</c> name, lower-cased, or null.</summary>
    public string? StageName { get; init; }
    /// <summary>The <c>--platform</c> value before ARG expansion, or null.</summary>
    public string? Platform { get; init; }
}

/// <summary>One name of an ARG instruction, with its default (raw) when it has one.</summary>
public sealed record ArgDeclaration(string Name, string? DefaultValue)
{
    public override string ToString() => DefaultValue is null ? Name : Name + "=" + DefaultValue;
}

/// <summary><c>ARG name[=default] ...</c>.</summary>
public sealed record ArgInstruction : Instruction
{
    public required IReadOnlyList<ArgDeclaration> Args { get; init; }
}

/// <summary><c>ONBUILD INSTRUCTION ...</c>: a trigger stored in the image for builds based on it.</summary>
public sealed record OnbuildInstruction : Instruction
{
    /// <summary>The wrapped instruction, parsed.</summary>
    public required Instruction Trigger { get; init; }
    /// <summary>The trigger as stored in the image config's <c>OnBuild</c> list.</summary>
    public required string Expression { get; init; }
}

namespace Berth.Engine.Build.Dockerfile;

/// <summary><c>CMD</c>: the default command of containers.</summary>
public sealed record CmdInstruction : Instruction
{
    public required CommandLine Command { get; init; }
}

/// <summary><c>ENTRYPOINT</c>: the executable of containers.</summary>
public sealed record EntrypointInstruction : Instruction
{
    public required CommandLine Command { get; init; }
}

/// <summary><c>SHELL ["executable", "params"]</c> (JSON form only).</summary>
public sealed record ShellInstruction : Instruction
{
    public required IReadOnlyList<string> Shell { get; init; }
}

/// <summary><c>ENV k=v ...</c> or the legacy <c>ENV k v</c>.</summary>
public sealed record EnvInstruction : Instruction
{
    public required IReadOnlyList<KeyValue> Variables { get; init; }
}

/// <summary><c>LABEL k=v ...</c>.</summary>
public sealed record LabelInstruction : Instruction
{
    public required IReadOnlyList<KeyValue> Labels { get; init; }
}

/// <summary><c>EXPOSE port[/proto] ...</c>, raw words.</summary>
public sealed record ExposeInstruction : Instruction
{
    public required IReadOnlyList<string> Ports { get; init; }
}

/// <summary><c>VOLUME ["/a"]</c> or <c>VOLUME /a /b</c>.</summary>
public sealed record VolumeInstruction : Instruction
{
    public required IReadOnlyList<string> Paths { get; init; }
}

/// <summary><c>USER user[:group]</c>.</summary>
public sealed record UserInstruction : Instruction
{
    public required string User { get; init; }
}

/// <summary><c>WORKDIR /path</c>.</summary>
public sealed record WorkdirInstruction : Instruction
{
    public required string Path { get; init; }
}

/// <summary><c>STOPSIGNAL signal</c>.</summary>
public sealed record StopSignalInstruction : Instruction
{
    public required string Signal { get; init; }
}

/// <summary><c>MAINTAINER name</c> (deprecated; sets the image author).</summary>
public sealed record MaintainerInstruction : Instruction
{
    public required string Maintainer { get; init; }
}

/// <summary>
/// <c>HEALTHCHECK NONE</c> (<see cref="Test"/> is <c>["NONE"]</c>) or
/// <c>HEALTHCHECK [--interval --timeout --start-period --start-interval --retries] CMD ...</c>
/// (<c>["CMD", args...]</c> for exec form, <c>["CMD-SHELL", command]</c> for shell form), as the
/// image config stores it. Durations not given are zero; retries not given is zero (the defaults).
/// </summary>
public sealed record HealthcheckInstruction : Instruction
{
    public required IReadOnlyList<string> Test { get; init; }
    public TimeSpan Interval { get; init; }
    public TimeSpan Timeout { get; init; }
    public TimeSpan StartPeriod { get; init; }
    public TimeSpan StartInterval { get; init; }
    public int Retries { get; init; }
    public bool IsNone => Test.Count == 1 && Test[0] == "NONE";
}

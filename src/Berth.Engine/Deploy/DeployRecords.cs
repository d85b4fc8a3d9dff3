using Berth.Engine.Compose;

namespace Berth.Engine.Deploy;

/// <summary>A deployed service: its current spec and revision, and its load balancer process (0 when none).</summary>
public sealed record DeployedService
{
    public required string Project { get; init; }
    public required string Service { get; init; }
    public required ComposeService Spec { get; init; }
    /// <summary>The network replicas join (engine name), where the load balancer reaches them.</summary>
    public required string Network { get; init; }
    public int Revision { get; init; }
    public int LbPid { get; init; }
    public long LbStart { get; init; }
    public DateTimeOffset Updated { get; init; }

    public string Key => KeyOf(Project, Service);

    public static string KeyOf(string project, string service) => project + "-" + service;
}

/// <summary>One rollout of a service: what ran (image, its ID, the spec), when, by whom, how, and how it ended.</summary>
public sealed record Revision
{
    public const string Active = "active", Replaced = "replaced", Failed = "failed";

    public required int Number { get; init; }
    public required string Image { get; init; }
    public required string ImageId { get; init; }
    public required ComposeService Spec { get; init; }
    public required DateTimeOffset Created { get; init; }
    public required string User { get; init; }
    public required string Strategy { get; init; }
    public required string Status { get; init; }
    public string Note { get; init; } = "";
}

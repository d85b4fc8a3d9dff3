using Berth.Engine.Build.Dockerfile;
using Berth.Engine.Oci;

namespace Berth.Engine.Build.Execution.Steps;

/// <summary>CMD, ENV, LABEL, USER...: the config changes and the history gains an empty-layer entry.</summary>
internal sealed class ConfigStep : IStepRunner
{
    public static ConfigStep Instance { get; } = new();

    public string? Inputs(StepContext c) => null;

    public BuildState Execute(StepContext c)
    {
        var step = c.Step;
        ImageConfig config;
        try
        {
            config = ConfigInstructions.Apply(c.State.Config, step.Expanded, step.ExposedPorts, c.CmdSet);
        }
        catch (InstructionValueException e)
        {
            throw c.Session.Error(step, e.Message);
        }
        var now = DateTimeOffset.UtcNow;
        config = config with
        {
            Created = now,
            History = [.. config.History ?? [], new HistoryEntry
            {
                Created = now,
                CreatedBy = HistoryText.Config(step, config.Config ?? new ContainerConfig()),
                EmptyLayer = true,
            }],
        };
        return c.State.Next(config, null, null);
    }
}

using System.Globalization;
using Berth.Cli.CommandLine;
using Berth.Cli.Output;
using Berth.Engine.Deploy;

namespace Berth.Cli.Commands;

/// <summary><c>compose ps</c>: the project's containers with their service, status (health included) and the ports their balancer publishes.</summary>
internal static class ComposePsCommand
{
    public static readonly CommandSpec Spec = new("ps", "List containers", Run)
    {
        Usage = "[OPTIONS] [SERVICE...]",
        Options =
        [
            OptionSpec.Flag("all", 'a', "Show all stopped containers"),
            OptionSpec.Flag("quiet", 'q', "Only display IDs"),
            .. ComposeCli.ProjectOptions,
        ],
    };

    private static int Run(CliContext ctx, ParsedArgs a)
    {
        var project = ComposeCli.ProjectName(ctx, a);
        var list = ComposeCli.Containers(ctx, project, a.Args).Where(c => a.Flag("all") || c.Running).ToList();
        if (a.Flag("quiet"))
        {
            foreach (var c in list) ctx.Out.Write(c.Id + "\n");
            return 0;
        }
        var health = new Engine.Deploy.Health.HealthStore(ctx.Root.Db).Statuses();
        var services = new DeployStore(ctx.Root.Db).List(project).ToDictionary(s => s.Service);
        var table = new Table("NAME", "IMAGE", "COMMAND", "SERVICE", "CREATED", "STATUS", "PORTS");
        foreach (var c in list)
        {
            var service = c.Spec.Labels.GetValueOrDefault(ComposeLabels.Service) ?? "";
            var ports = services.TryGetValue(service, out var s) && ServiceTraffic.Running(s)
                ? string.Join(", ", ServiceSpecs.Listeners(s.Spec).Select(l => string.Create(CultureInfo.InvariantCulture, $"{l.Address}:{l.HostPort}->{l.TargetPort}/tcp")))
                : "";
            table.Add(c.Name, c.Spec.Image, ContainerCli.CommandText(c, false), service, Display.Ago(c.Created), ContainerCli.StatusText(c, health.GetValueOrDefault(c.Id)), ports);
        }
        table.Write(ctx.Out);
        return 0;
    }
}

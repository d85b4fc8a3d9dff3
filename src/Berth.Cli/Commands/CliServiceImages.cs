using Berth.Engine;
using Berth.Engine.Compose;
using Berth.Engine.Deploy;
using Berth.Engine.Oci;

namespace Berth.Cli.Commands;

/// <summary>Images for compose and deploy: the build command's handler for build sections, the puller for missing images.</summary>
internal sealed class CliServiceImages(CliContext ctx) : IServiceImages
{
    /// <summary>docker compose names a built image <c>&lt;project&gt;-&lt;service&gt;</c> unless the service names one.</summary>
    public static string ImageName(ComposeProject p, ComposeService s) => s.Image ?? $"{p.Name}-{s.Name}";

    public (string Reference, string Id) ForService(ComposeProject project, ComposeService service, bool build)
    {
        var name = ImageName(project, service);
        if (service.Build is { } b && (build || ctx.Root.Images.Find(name) is null))
        {
            Build(name, b);
            return (name, ctx.Root.Images.Find(name)!.Id.ToString());
        }
        return ForReference(name);
    }

    public void Build(string name, ComposeBuild b)
    {
        var args = new List<string> { "-t", name, "--progress", "plain" };
        if (b.Dockerfile is { } f) { args.Add("-f"); args.Add(Path.Combine(b.Context, f)); }
        if (b.Target is { } t) { args.Add("--target"); args.Add(t); }
        foreach (var (k, v) in b.Args) { args.Add("--build-arg"); args.Add(k + "=" + v); }
        foreach (var (k, v) in b.Labels) { args.Add("--label"); args.Add(k + "=" + v); }
        args.Add(b.Context);
        int code = ComposeCli.Invoke(ctx, BuildCommand.Spec, "berth build", args);
        if (code != 0) throw new BerthException($"building {name} failed");
    }

    public (string Reference, string Id) ForReference(string reference)
    {
        if (ctx.Root.Images.Find(reference) is { } local) return (reference, local.Id.ToString());
        if (!ImageReference.TryParse(reference, out _)) throw new NotFoundException($"No such image: {reference}");
        try { return (reference, PullCommand.EnsureImage(ctx, reference, quiet: true, always: true).Id.ToString()); }
        catch (BerthException e) { throw new BerthException($"image {reference} not found locally and cannot be pulled: {e.Message}"); }
    }

    public string? LocalId(string imageId) => ctx.Root.Images.Find(imageId)?.Id.ToString();
}

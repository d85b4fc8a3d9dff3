using Berth.Engine.Oci;

namespace Berth.Engine.Build.Planning;

/// <summary>
/// BuildKit's automatic ARGs of the global scope: the build and target platforms and the target
/// stage. A stage sees them only when it redeclares them (<c>ARG TARGETARCH</c>).
/// </summary>
internal static class PlatformArgs
{
    public static readonly IReadOnlyList<string> Names =
    [
        "BUILDPLATFORM", "BUILDOS", "BUILDOSVERSION", "BUILDARCH", "BUILDVARIANT",
        "TARGETPLATFORM", "TARGETOS", "TARGETOSVERSION", "TARGETARCH", "TARGETVARIANT", "TARGETSTAGE",
    ];

    public static bool IsPlatformArg(string name) => Names.Contains(name);

    /// <summary>The values, each overridable by a --build-arg of the same name.</summary>
    public static Dictionary<string, string> Defaults(Platform build, Platform target, string? targetStage, BuildArgs args)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["BUILDPLATFORM"] = build.ToString(),
            ["BUILDOS"] = build.Os,
            ["BUILDOSVERSION"] = build.OsVersion ?? "",
            ["BUILDARCH"] = build.Architecture,
            ["BUILDVARIANT"] = build.Variant ?? "",
            ["TARGETPLATFORM"] = target.ToString(),
            ["TARGETOS"] = target.Os,
            ["TARGETOSVERSION"] = target.OsVersion ?? "",
            ["TARGETARCH"] = target.Architecture,
            ["TARGETVARIANT"] = target.Variant ?? "",
            ["TARGETSTAGE"] = targetStage ?? "default",
        };
        foreach (var name in Names)
            if (args.TryGetValue(name, out var given)) values[name] = given;
        return values;
    }
}

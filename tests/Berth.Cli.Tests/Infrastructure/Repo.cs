namespace Berth.Cli.Tests.Infrastructure;

/// <summary>Where the repository and the shared fixtures (<c>../shared/testdata</c>) are.</summary>
public static class Repo
{
    public static string Root { get; } = FindRoot();

    public static string SharedTestData => Path.Combine(Root, "..", "shared", "testdata");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Berth.slnx"))) return dir.FullName;
        throw new InvalidOperationException("cannot find the repository root (Berth.slnx) above " + AppContext.BaseDirectory);
    }
}

using Berth.Engine.Runtime;

namespace Berth.Engine.Tests.Runtime;

public class ExternalRuntimeTests
{
    public static TheoryData<string> Scripts => new()
    {
        "echo $$; hostname; id; pwd; echo err >&2; exit 3",
        "ls /dev | tr '\\n' ' '; grep -E '^(CapEff|CapBnd)' /proc/self/status",
        "touch /proc/sys/x 2>/dev/null || echo ro-proc-sys; cat /etc/passwd | wc -l",
    };

    [Theory]
    [MemberData(nameof(Scripts))]
    public void The_same_bundle_gives_the_same_result_with_crun(string script)
    {
        if (!File.Exists("/usr/bin/crun")) return; // crun comes from Debian's crun package (.ci/run installs it)
        using var b = new TestBundle();
        var spec = b.Spec("sh", "-c", script);
        var builtin = b.Run(spec);
        var state = Path.Combine(b.Dir, "crun-state");
        var crun = b.Run(new ExternalRuntime("crun", state), spec);
        Assert.Equal(crun, builtin);
    }
}

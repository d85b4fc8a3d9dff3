using Berth.Engine.Runtime.Spec;
using Berth.Engine.Runtime.Stage;

namespace Berth.Engine.Tests.Runtime;

public class SpecTests
{
    [Fact]
    public void The_hand_written_writer_round_trips_through_the_generated_reader()
    {
        using var b = new TestBundle();
        var spec = b.Spec("sh", "-c", "echo \"quoted\" \\ back") with
        {
            Annotations = new() { ["a"] = "b" },
            Process = b.Spec("x").Process! with { User = new SpecUser { Uid = 5, Gid = 6, AdditionalGids = [7, 8] }, OomScoreAdj = -5, ConsoleSize = new SpecBox { Height = 24, Width = 80 } },
        };
        spec = spec with { Linux = spec.Linux! with { Resources = spec.Linux.Resources! with { Memory = new SpecMemory { Limit = 1 << 20, Swap = 2 << 20 }, Pids = new SpecPids { Limit = 9 } } } };
        RuntimeSpecFile.Write(b.Dir, spec);
        var back = RuntimeSpecFile.Read(b.Dir);
        Assert.Equal(RuntimeSpecWriter.Serialize(spec), RuntimeSpecWriter.Serialize(back));
        Assert.Equal(spec.Process!.Args, back.Process!.Args);
        Assert.Equal([7u, 8u], back.Process.User.AdditionalGids!);
        Assert.Equal(9, back.Linux!.Resources!.Pids!.Limit);
        Assert.Equal(spec.Mounts!.Count, back.Mounts!.Count);
    }

    [Theory]
    [InlineData("1.0.0", true)]
    [InlineData("1.0.2-dev", true)]
    [InlineData("1.2.1", true)]
    [InlineData("1.3.0", false)]
    [InlineData("2.0.0", false)]
    [InlineData("garbage", false)]
    public void Accepts_runtime_spec_1_0_to_1_2(string version, bool ok)
    {
        if (ok) RuntimeSpecFile.CheckVersion(version, "config.json");
        else Assert.Throws<BerthException>(() => RuntimeSpecFile.CheckVersion(version, "config.json"));
    }

    [Fact]
    public void Mount_options_become_flags_propagation_and_data()
    {
        var f = MountFlags.Parse(["rbind", "ro", "nosuid", "rprivate", "mode=755", "size=1m"]);
        Assert.Equal(MountFlags.BIND | MountFlags.REC | MountFlags.RDONLY | MountFlags.NOSUID, f.Flags);
        Assert.Equal(MountFlags.PRIVATE | MountFlags.REC, f.Propagation);
        Assert.Equal("mode=755,size=1m", f.Data);
        Assert.True(MountFlags.Parse(null, "bind").IsBind);
        Assert.Equal(0UL, MountFlags.Parse(["ro", "rw"]).Flags);
    }

    [Fact]
    public void Capabilities_follow_dockers_add_and_drop_rules()
    {
        Assert.Equal(Capabilities.DockerDefault.Where(Capabilities.Known.Contains), Capabilities.Resolve([], [], false));
        Assert.Equal(["CAP_NET_ADMIN"], Capabilities.Resolve(["net_admin"], ["ALL"], false));
        Assert.DoesNotContain("CAP_MKNOD", Capabilities.Resolve([], ["MKNOD"], false));
        Assert.Contains("CAP_SYS_ADMIN", Capabilities.Resolve(["CAP_SYS_ADMIN"], [], false));
        Assert.Equal(Capabilities.Known, Capabilities.Resolve([], [], true));
        Assert.Throws<BerthException>(() => Capabilities.Normalize("NOT_A_CAP"));
        Assert.Equal(0xa80425fbUL, Capabilities.Mask(Capabilities.DockerDefault));
    }

    [Fact]
    public void Stage_records_are_nul_separated_and_refuse_nul_inside_values()
    {
        var c = new StageConfig().Add("arg", "a b").Add("mount", "tmpfs", "", "/dev");
        Assert.Equal("arg\0a b\0mount\0tmpfs\0\0/dev\0"u8.ToArray(), c.Bytes.ToArray());
        Assert.Throws<BerthException>(() => new StageConfig().Add("arg", "a\0b"));
    }
}

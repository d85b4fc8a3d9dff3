using Berth.Engine.Build.Dockerfile;
using Berth.Engine.Build.Execution;
using Berth.Engine.Oci;

namespace Berth.Engine.Tests.Build.Execution;

public class ConfigInstructionsTests
{
    private static Instruction Parse(string line) => DockerfileParser.Parse("FROM scratch\n" + line).Stages[0].Instructions[0];

    private static ContainerConfig Apply(ContainerConfig c, string line, bool cmdSet = false) =>
        ConfigInstructions.Apply(new ImageConfig { Config = c }, Parse(line), null, cmdSet).Config!;

    [Fact]
    public void Shell_form_runs_under_the_configured_shell_and_exec_form_as_written()
    {
        Assert.Equal(["/bin/sh", "-c", "echo hi"], Apply(new(), "CMD echo hi").Cmd);
        Assert.Equal(["echo", "hi"], Apply(new(), "CMD [\"echo\", \"hi\"]").Cmd);
        var withShell = Apply(new(), "SHELL [\"/bin/bash\", \"-ec\"]");
        Assert.Equal(["/bin/bash", "-ec", "make"], Apply(withShell, "ENTRYPOINT make").Entrypoint);
    }

    [Fact]
    public void Entrypoint_drops_an_inherited_cmd_but_keeps_one_set_in_the_stage()
    {
        var inherited = new ContainerConfig { Cmd = ["sh"] };
        Assert.Null(Apply(inherited, "ENTRYPOINT [\"/app\"]").Cmd);
        Assert.Equal(["sh"], Apply(inherited, "ENTRYPOINT [\"/app\"]", cmdSet: true).Cmd);
    }

    [Fact]
    public void Env_replaces_in_place_and_appends_new_names()
    {
        var c = Apply(new ContainerConfig { Env = ["PATH=/bin", "A=1"] }, "ENV A=2 B=3");
        Assert.Equal(["PATH=/bin", "A=2", "B=3"], c.Env);
    }

    [Fact]
    public void Workdir_is_relative_to_the_previous_one_and_cleaned()
    {
        Assert.Equal("/a/b", ConfigInstructions.ResolveWorkdir("/a", "b"));
        Assert.Equal("/c", ConfigInstructions.ResolveWorkdir("/a/b", "/x/../c/"));
        Assert.Equal("/rel", ConfigInstructions.ResolveWorkdir(null, "rel"));
        Assert.Equal("/a/b", Apply(Apply(new(), "WORKDIR /a"), "WORKDIR b").WorkingDir);
    }

    [Fact]
    public void Expose_volume_label_user_stopsignal_onbuild_healthcheck()
    {
        var c = Apply(new(), "EXPOSE 80 53/udp");
        Assert.Equal(["53/udp", "80/tcp"], c.ExposedPorts!.Keys.Order());
        c = Apply(c, "VOLUME [\"/data\", \"/logs\"]");
        Assert.Equal(2, c.Volumes!.Count);
        c = ConfigInstructions.ApplyChanges(c, ["LABEL a=b \"c d\"=e"]);
        Assert.Equal("e", c.Labels!["c d"]);
        Assert.Equal("app:staff", Apply(c, "USER app:staff").User);
        Assert.Equal("SIGQUIT", Apply(c, "STOPSIGNAL SIGQUIT").StopSignal);
        Assert.Equal(["RUN make"], Apply(c, "ONBUILD RUN make").OnBuild);
        var h = Apply(c, "HEALTHCHECK --interval=30s --retries=3 CMD curl -f http://localhost/").Healthcheck!;
        Assert.Equal(["CMD-SHELL", "curl -f http://localhost/"], h.Test);
        Assert.Equal(30_000_000_000, h.Interval);
        Assert.Equal(3, h.Retries);
        Assert.Null(h.Timeout);
        Assert.Equal(["NONE"], Apply(c, "HEALTHCHECK NONE").Healthcheck!.Test);
    }

    [Fact]
    public void Maintainer_sets_the_author()
    {
        var image = ConfigInstructions.Apply(new ImageConfig(), Parse("MAINTAINER someone <a@b.c>"));
        Assert.Equal("someone <a@b.c>", image.Author);
    }

    [Fact]
    public void Changes_for_import_are_parsed_expanded_and_restricted()
    {
        var c = ConfigInstructions.ApplyChanges(new ContainerConfig { Env = ["HOME=/root"] },
            ["CMD [\"/bin/sh\"]", "ENV DATA=$HOME/data", "WORKDIR /tmp", "ONBUILD RUN echo hi", "EXPOSE 8080"]);
        Assert.Equal(["/bin/sh"], c.Cmd);
        Assert.Contains("DATA=/root/data", c.Env!);
        Assert.Equal("/tmp", c.WorkingDir);
        Assert.Equal(["RUN echo hi"], c.OnBuild);
        Assert.True(c.ExposedPorts!.ContainsKey("8080/tcp"));

        var bad = Assert.Throws<BerthException>(() => ConfigInstructions.ApplyChanges(new(), ["RUN make"]));
        Assert.StartsWith("RUN is not a valid change command", bad.Message);
        var syntax = Assert.Throws<BerthException>(() => ConfigInstructions.ApplyChanges(new(), ["EXPOSE 99999"]));
        Assert.Contains("EXPOSE 99999", syntax.Message);
        Assert.DoesNotContain('\n', syntax.Message);
    }
}

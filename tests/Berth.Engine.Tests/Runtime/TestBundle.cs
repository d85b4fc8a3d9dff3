using System.Diagnostics;
using Berth.Engine.Runtime;
using Berth.Engine.Runtime.Interop;
using Berth.Engine.Runtime.Spec;
using Berth.Engine.Runtime.Stage;

namespace Berth.Engine.Tests.Runtime;

/// <summary>An OCI bundle on a busybox-static rootfs in a temp directory, removed (with anything left
/// mounted below it) on dispose.</summary>
public sealed class TestBundle : IDisposable
{
    public TestBundle()
    {
        Dir = Directory.CreateTempSubdirectory("berth-bundle-").FullName;
        Id = Guid.NewGuid().ToString("N") + Guid.NewGuid().ToString("N");
        var rootfs = Path.Combine(Dir, "rootfs");
        Sh($"""
            set -e
            mkdir -p {rootfs}/bin {rootfs}/etc {rootfs}/tmp {rootfs}/proc {rootfs}/sys {rootfs}/dev {rootfs}/root
            cp /bin/busybox {rootfs}/bin/busybox
            for a in $({rootfs}/bin/busybox --list); do [ "$a" = busybox ] || ln -sf busybox {rootfs}/bin/$a; done
            printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' > {rootfs}/etc/passwd
            printf 'root:x:0:\nnogroup:x:65534:\n' > {rootfs}/etc/group
            chmod 1777 {rootfs}/tmp
            """);
    }

    public string Dir { get; }
    public string Id { get; }

    /// <summary>docker's defaults for a container running <paramref name="args"/>.</summary>
    public RuntimeSpec Spec(params string[] args) => new()
    {
        Process = new SpecProcess
        {
            Args = [.. args],
            Env = [SpecDefaults.DefaultPath, "HOSTNAME=bundle"],
            Cwd = "/",
            Capabilities = new SpecCapabilities
            {
                Bounding = [.. Capabilities.DockerDefault], Effective = [.. Capabilities.DockerDefault],
                Permitted = [.. Capabilities.DockerDefault],
            },
            NoNewPrivileges = true,
            Rlimits = SpecDefaults.Rlimits(),
        },
        Root = new SpecRoot { Path = "rootfs" },
        Hostname = "bundle",
        Mounts = SpecDefaults.Mounts(ownNetwork: true),
        Linux = new SpecLinux
        {
            Namespaces = [new() { Type = "pid" }, new() { Type = "network" }, new() { Type = "ipc" }, new() { Type = "uts" }, new() { Type = "mount" }],
            MaskedPaths = [.. SpecDefaults.MaskedPaths],
            ReadonlyPaths = [.. SpecDefaults.ReadonlyPaths],
            Resources = new SpecResources { Devices = SpecDefaults.DeviceRules() },
            CgroupsPath = "/berth/" + Id,
        },
    };

    public sealed record Result(int ExitCode, string Stdout, string Stderr);

    /// <summary>Runs the bundle with the built-in runtime, stdout and stderr captured.</summary>
    public Result Run(RuntimeSpec spec, bool init = false) => Run(BuiltinRuntime.Instance, spec, init);

    /// <summary>Runs the bundle with <paramref name="runtime"/>, stdout and stderr captured.</summary>
    public Result Run(IContainerRuntime runtime, RuntimeSpec spec, bool init = false)
    {
        RuntimeSpecFile.Write(Dir, spec);
        var (outR, outW) = Fds.Pipe();
        var (errR, errW) = Fds.Pipe();
        int nul = Fds.Open("/dev/null", Libc.O_RDONLY);
        RuntimeTask task;
        try
        {
            task = runtime.Start(new RuntimeLaunch(Id, Dir, RuntimeSpecFile.Read(Dir), null, new StageStdio(nul, outW, errW)) { Init = init });
        }
        catch (BerthException e)
        {
            return new Result(e.ExitCode, "", e.Message);
        }
        finally
        {
            Fds.Close(ref outW);
            Fds.Close(ref errW);
            Fds.Close(ref nul);
        }
        var stdout = Task.Run(() => Fds.ReadToEnd(outR));
        var stderr = Task.Run(() => Fds.ReadToEnd(errR));
        int code = ChildProcess.Wait(task.WaitPid);
        var result = new Result(code, stdout.Result, stderr.Result);
        Fds.Close(ref outR);
        Fds.Close(ref errR);
        runtime.Cleanup(Id, Dir);
        return result;
    }

    public static string Sh(string script)
    {
        var psi = new ProcessStartInfo("/bin/sh") { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add(script);
        using var p = Process.Start(psi)!;
        var o = p.StandardOutput.ReadToEndAsync();
        var e = p.StandardError.ReadToEndAsync();
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException($"sh failed ({p.ExitCode}): {e.Result}");
        return o.Result;
    }

    public void Dispose()
    {
        foreach (var m in File.ReadAllLines("/proc/self/mountinfo").Select(l => l.Split(' ')[4])
                     .Where(m => m.StartsWith(Dir + "/", StringComparison.Ordinal)).OrderByDescending(m => m.Length))
            Sh($"umount -l '{m}' || true");
        try { Berth.Engine.Runtime.Cgroups.CgroupDrivers.Host.Open("berth/" + Id).Remove(); } catch (BerthException) { }
        Directory.Delete(Dir, recursive: true);
    }
}

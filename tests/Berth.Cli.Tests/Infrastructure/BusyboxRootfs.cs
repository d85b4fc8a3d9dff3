namespace Berth.Cli.Tests.Infrastructure;

/// <summary>
/// A rootfs tarball of Debian's busybox-static: /bin/busybox, its applets as symlinks, /etc/passwd and
/// /etc/group. Made once per test run and shared by all tests.
/// </summary>
public static class BusyboxRootfs
{
    private static readonly Lazy<string> s_tar = new(Make);

    public static string Tar => s_tar.Value;

    private static string Make()
    {
        var busybox = new[] { "/bin/busybox", "/usr/bin/busybox" }.FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException("busybox-static is not installed (apt-get install busybox-static)");
        var dir = Path.Combine(Path.GetTempPath(), $"berth-busybox-{Environment.ProcessId}");
        var tar = dir + ".tar";
        if (File.Exists(tar)) return tar;
        var script = $"""
            set -e
            rm -rf {dir}; mkdir -p {dir}/bin {dir}/etc {dir}/tmp {dir}/proc {dir}/sys {dir}/dev {dir}/root
            cp {busybox} {dir}/bin/busybox
            for a in $({dir}/bin/busybox --list); do [ "$a" = busybox ] || ln -sf busybox {dir}/bin/$a; done
            printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\nappuser:x:1000:1000::/home/app:/bin/sh\n' > {dir}/etc/passwd
            printf 'root:x:0:\nnogroup:x:65534:\napp:x:1000:\nstaff:x:50:appuser\n' > {dir}/etc/group
            chmod 1777 {dir}/tmp
            tar -C {dir} -cf {tar}.part . && mv {tar}.part {tar}
            rm -rf {dir}
            """;
        Shell.Sh(script).AssertOk();
        AppDomain.CurrentDomain.ProcessExit += (_, _) => File.Delete(tar);
        return tar;
    }
}

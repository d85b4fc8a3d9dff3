using System.Security.Cryptography;
using System.Text;
using Berth.Engine.Util;

namespace Berth.Engine.Build.Execution.Run;

/// <summary>
/// The directories behind <c>RUN --mount=type=cache</c>: one per cache id under the state root's
/// <c>build-cache-mounts/</c>, kept across builds until <c>builder prune</c> removes them.
/// </summary>
public static class CacheMounts
{
    public static string Dir(StateRoot root) => Path.Combine(root.Path, "build-cache-mounts");

    public static string For(StateRoot root, string id) =>
        Path.Combine(Dir(root), Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(id)))[..32]);

    /// <summary>Removes every cache mount directory; returns the bytes freed.</summary>
    public static long DeleteAll(StateRoot root)
    {
        var dir = Dir(root);
        if (!Directory.Exists(dir)) return 0;
        long size = DirectoryUsage.Measure(dir).Size;
        DirectoryUsage.DeleteTree(dir);
        return size;
    }
}

using Berth.Engine;
using Berth.Engine.Build.Execution;
using Berth.Engine.Build.Execution.Sources;

namespace Berth.Cli.Commands;

/// <summary>
/// <c>berth build -</c>: stdin is a tar of the context (plain or compressed), used in place when it is
/// a redirected file; or, as with docker, a lone Dockerfile with an empty context.
/// </summary>
internal static class StdinContext
{
    /// <summary>The request, and a temp directory (the empty context of a lone Dockerfile) to remove afterwards.</summary>
    public static (BuildRequest Request, string? TempDir) Open(string tmpDir, string dockerfileInContext)
    {
        var stdin = Console.OpenStandardInput();
        string? inPlace = null;
        Stream input = stdin;
        if (IsRegularFile(0))
        {
            inPlace = "/proc/self/fd/0";
            input = new FileStream(inPlace, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1 << 16);
        }
        var head = new byte[512];
        int n = input.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        if (!LooksLikeArchive(head.AsSpan(0, n)))
        {
            // A Dockerfile, not a tar: docker builds it with an empty context.
            using var rest = new StreamReader(input);
            var text = System.Text.Encoding.UTF8.GetString(head, 0, n) + rest.ReadToEnd();
            var empty = Path.Combine(tmpDir, $"build-emptyctx-{Guid.NewGuid():N}");
            Directory.CreateDirectory(empty);
            return (new BuildRequest { Context = BuildContext.FromDirectory(empty, null), DockerfileText = text, DockerfileName = "Dockerfile" }, empty);
        }
        Stream tar = inPlace is not null ? Rewind(input) : new PrefixStream(head.AsMemory(0, n), input);
        var context = BuildContext.FromTar(tar, tmpDir, inPlace, dockerfileInContext);
        var dockerfile = context.ReadText(dockerfileInContext)
            ?? throw new BerthException($"unable to prepare context: the Dockerfile ({dockerfileInContext}) is not in the context tar");
        return (new BuildRequest { Context = context, DockerfileText = dockerfile, DockerfileName = dockerfileInContext }, null);
    }

    private static Stream Rewind(Stream s)
    {
        s.Position = 0;
        return s;
    }

    private static bool LooksLikeArchive(ReadOnlySpan<byte> head) =>
        Berth.Engine.Layers.LayerCompression.Detect(head) != Berth.Engine.Oci.Compression.None
        || (head.Length >= 262 && head.Slice(257, 5).SequenceEqual("ustar"u8));

    /// <summary>Whether stdin is redirected from a regular file (then the tar is read in place, never copied).</summary>
    private static bool IsRegularFile(int fd)
    {
        try
        {
            return File.ResolveLinkTarget($"/proc/self/fd/{fd}", returnFinalTarget: false) is { } target
                && target.FullName.StartsWith('/') && Berth.Engine.Runtime.Interop.FileStat.Lstat(target.FullName) is { IsRegular: true };
        }
        catch (IOException) { return false; }
    }

    /// <summary>Bytes already read, then the rest of the stream.</summary>
    private sealed class PrefixStream(ReadOnlyMemory<byte> prefix, Stream rest) : Stream
    {
        private ReadOnlyMemory<byte> _prefix = prefix;

        public override int Read(Span<byte> buffer)
        {
            if (_prefix.IsEmpty) return rest.Read(buffer);
            int n = Math.Min(buffer.Length, _prefix.Length);
            _prefix.Span[..n].CopyTo(buffer);
            _prefix = _prefix[n..];
            return n;
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing) rest.Dispose();
            base.Dispose(disposing);
        }
    }
}

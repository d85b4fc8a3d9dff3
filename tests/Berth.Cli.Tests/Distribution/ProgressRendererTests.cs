using Berth.Cli.Commands;
using Berth.Engine.Distribution;

namespace Berth.Cli.Tests.Distribution;

public class ProgressRendererTests
{
    private static readonly TransferEvent[] Pull =
    [
        new("aaa", TransferStatus.PullingFsLayer),
        new("bbb", TransferStatus.AlreadyExists),
        new("aaa", TransferStatus.Downloading, 0, 1000),
        new("aaa", TransferStatus.Downloading, 500, 1000),
        new("aaa", TransferStatus.VerifyingChecksum, 1000, 1000),
        new("aaa", TransferStatus.DownloadComplete, 1000, 1000),
        new("aaa", TransferStatus.Extracting, 0, 1000),
        new("aaa", TransferStatus.PullComplete),
        new("bbb", TransferStatus.PullComplete), // after a final status: ignored
    ];

    [Fact]
    public void PlainOutputIsOneLinePerStatusChangeAsDockerPrintsIt()
    {
        var w = new StringWriter();
        var r = new TransferProgressRenderer(w, terminal: false, quiet: false);
        foreach (var e in Pull) r.Report(e);
        r.Finish();
        Assert.Equal("""
            aaa: Pulling fs layer
            bbb: Already exists
            aaa: Verifying Checksum
            aaa: Download complete
            aaa: Pull complete

            """.ReplaceLineEndings("\n"), w.ToString());
    }

    [Fact]
    public void TerminalOutputRedrawsOneLinePerLayerWithABar()
    {
        var w = new StringWriter();
        var r = new TransferProgressRenderer(w, terminal: true, quiet: false);
        foreach (var e in Pull.Take(4)) r.Report(e);
        r.Finish(); // draws the last state, even a throttled one
        var text = w.ToString();
        Assert.Contains("aaa: Downloading [====================>", text);
        Assert.Contains("500B/1kB", text);
        Assert.Contains("\x1b[2A", text); // back up over the two layer lines to redraw them
        Assert.EndsWith("\x1b[2Kbbb: Already exists\n", text);
    }

    [Fact]
    public void QuietPrintsNothing()
    {
        var w = new StringWriter();
        var r = new TransferProgressRenderer(w, terminal: true, quiet: true);
        foreach (var e in Pull) r.Report(e);
        r.Finish();
        Assert.Equal("", w.ToString());
    }
}

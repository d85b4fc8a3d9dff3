namespace Berth.Engine.Distribution;

/// <summary>Where one layer of a push or pull is, in docker's words.</summary>
public enum TransferStatus
{
    // pull
    PullingFsLayer,
    AlreadyExists,
    Downloading,
    VerifyingChecksum,
    DownloadComplete,
    Extracting,
    PullComplete,
    // push
    Preparing,
    Waiting,
    Pushing,
    Pushed,
    LayerAlreadyExists,
    Mounted,
}

/// <summary>
/// A progress report for one layer: its short ID (as docker shows it), its status, and bytes done
/// and total while it moves. <see cref="From"/> names the repository a mounted layer came from.
/// </summary>
public sealed record TransferEvent(string Id, TransferStatus Status, long Current = 0, long Total = 0, string? From = null)
{
    /// <summary>Ends this layer's story: nothing more will be reported for it.</summary>
    public bool IsFinal => Status is TransferStatus.AlreadyExists or TransferStatus.PullComplete or TransferStatus.Pushed
        or TransferStatus.LayerAlreadyExists or TransferStatus.Mounted;

    /// <summary>True while bytes move (a progress bar is worth drawing).</summary>
    public bool IsMoving => Status is TransferStatus.Downloading or TransferStatus.Pushing or TransferStatus.Extracting;

    public string Text => Status switch
    {
        TransferStatus.PullingFsLayer => "Pulling fs layer",
        TransferStatus.AlreadyExists => "Already exists",
        TransferStatus.Downloading => "Downloading",
        TransferStatus.VerifyingChecksum => "Verifying Checksum",
        TransferStatus.DownloadComplete => "Download complete",
        TransferStatus.Extracting => "Extracting",
        TransferStatus.PullComplete => "Pull complete",
        TransferStatus.Preparing => "Preparing",
        TransferStatus.Waiting => "Waiting",
        TransferStatus.Pushing => "Pushing",
        TransferStatus.Pushed => "Pushed",
        TransferStatus.LayerAlreadyExists => "Layer already exists",
        TransferStatus.Mounted => "Mounted from " + From,
        _ => Status.ToString(),
    };
}

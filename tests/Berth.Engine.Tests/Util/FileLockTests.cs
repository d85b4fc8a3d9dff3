using Berth.Engine.Util;

namespace Berth.Engine.Tests.Util;

/// <summary>The host-wide and store locks: a second taker waits for an exclusive holder, in this process too
/// (parallel build stages bring the default bridge up from two threads at once).</summary>
public sealed class FileLockTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("berth-lock-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task A_second_taker_waits_for_the_exclusive_holder_instead_of_failing()
    {
        var path = Path.Combine(_dir, "lock");
        var order = new List<string>();
        var held = FileLock.Exclusive(path);
        var exclusive = Task.Run(() => { using (FileLock.Exclusive(path)) lock (order) order.Add("exclusive"); });
        var shared = Task.Run(() => { using (FileLock.Shared(path)) lock (order) order.Add("shared"); });
        await Task.Delay(200);
        lock (order) Assert.Empty(order); // both wait, neither throws
        lock (order) order.Add("released");
        held.Dispose();
        await Task.WhenAll(exclusive, shared).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("released", order[0]);
        Assert.Equal(3, order.Count);
    }
}

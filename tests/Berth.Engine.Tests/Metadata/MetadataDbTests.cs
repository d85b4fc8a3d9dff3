using Berth.Engine.Metadata;

namespace Berth.Engine.Tests.Metadata;

/// <summary>One connection shared by the threads of a process (a build's parallel stages): each
/// transaction is its own, as it is between processes.</summary>
public sealed class MetadataDbTests : IDisposable
{
    private sealed class Counters : ISchema
    {
        public string Domain => "test";
        public IReadOnlyList<string> Migrations { get; } = ["CREATE TABLE taken (n INTEGER PRIMARY KEY, owner TEXT NOT NULL)"];
    }

    private readonly string _dir = Directory.CreateTempSubdirectory("berth-db-").FullName;
    private readonly MetadataDb _db;

    public MetadataDbTests() => _db = new MetadataDb(Path.Combine(_dir, "db"), [new Counters()]);

    public void Dispose()
    {
        _db.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public void Threads_that_read_then_claim_in_a_transaction_never_claim_the_same_row()
    {
        // the address allocator's pattern: read what is taken, pick the next, insert it
        const int threads = 6, each = 40;
        var failures = new System.Collections.Concurrent.ConcurrentBag<Exception>();
        var workers = Enumerable.Range(0, threads).Select(t => new Thread(() =>
        {
            try
            {
                for (int i = 0; i < each; i++)
                    _db.InTransaction(() =>
                    {
                        long next = (_db.Scalar("SELECT MAX(n) FROM taken") as long? ?? 0) + 1;
                        Thread.Yield();
                        _db.Execute("INSERT INTO taken(n, owner) VALUES($n, $o)", ("$n", next), ("$o", $"t{t}"));
                    });
            }
            catch (Exception e) { failures.Add(e); }
        })).ToList();
        foreach (var w in workers) w.Start();
        foreach (var w in workers) w.Join();
        Assert.Empty(failures);
        Assert.Equal((long)threads * each, _db.Scalar("SELECT COUNT(*) FROM taken"));
        Assert.Equal((long)threads * each, _db.Scalar("SELECT MAX(n) FROM taken"));
    }

    [Fact]
    public void A_rolled_back_transaction_takes_no_other_threads_write_with_it()
    {
        using var inside = new ManualResetEventSlim();
        var other = new Thread(() =>
        {
            inside.Wait();
            _db.Execute("INSERT INTO taken(n, owner) VALUES(2, 'other')");
        });
        other.Start();
        Assert.Throws<InvalidOperationException>(() => _db.InTransaction(() =>
        {
            _db.Execute("INSERT INTO taken(n, owner) VALUES(1, 'mine')");
            inside.Set();
            Thread.Sleep(200); // the other thread's insert is waiting, not joining
            throw new InvalidOperationException("changed my mind");
        }));
        other.Join();
        Assert.Equal(["other"], _db.Query("SELECT owner FROM taken ORDER BY n", r => r.GetString(0)));
    }
}

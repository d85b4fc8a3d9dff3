using Berth.Engine.Events;

namespace Berth.Engine.Tests.Events;

public class EventLogTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("berth-events-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private EventLog Log => new(Path.Combine(_dir, "events.log"));

    private static BerthEvent Event(string action, long time, string name = "web") => new()
    {
        Type = "container", Action = action, ActorId = new string('a', 64), TimeNano = time,
        Attributes = new(StringComparer.Ordinal) { ["image"] = "bb:1", ["name"] = name },
    };

    [Fact]
    public void Writes_dockers_json_shape_and_reads_it_back()
    {
        var e = Event("die", 1_700_000_000_123_456_789) with { Attributes = new(StringComparer.Ordinal) { ["exitCode"] = "3", ["image"] = "bb:1", ["name"] = "web" } };
        var json = e.ToJson();
        Assert.Equal("{\"status\":\"die\",\"id\":\"" + e.ActorId + "\",\"from\":\"bb:1\",\"Type\":\"container\",\"Action\":\"die\",\"Actor\":{\"ID\":\"" + e.ActorId
            + "\",\"Attributes\":{\"exitCode\":\"3\",\"image\":\"bb:1\",\"name\":\"web\"}},\"scope\":\"local\",\"time\":1700000000,\"timeNano\":1700000000123456789}", json);
        var back = BerthEvent.Parse(json)!;
        Assert.Equal((e.Action, e.ActorId, e.TimeNano, "3"), (back.Action, back.ActorId, back.TimeNano, back.Attributes["exitCode"]));
        Assert.Equal("2023-11-14T22:13:20.123456789Z container die " + e.ActorId + " (exitCode=3, image=bb:1, name=web)", e.ToText());
        Assert.Null(BerthEvent.Parse("not json"));
    }

    [Fact]
    public void Reads_a_time_window_across_the_rotated_file()
    {
        var log = Log;
        log.Append(Event("create", 100));
        File.Move(log.Path, log.PreviousPath);
        log.Append(Event("start", 200));
        log.Append(Event("die", 300));
        var seen = new List<string>();
        new EventReader(log).Read(150, 250, follow: false, (e, _) => seen.Add(e.Action));
        Assert.Equal(["start"], seen);
        seen.Clear();
        new EventReader(log).Read(0, null, follow: false, (e, _) => seen.Add(e.Action));
        Assert.Equal(["create", "start", "die"], seen);
    }

    [Fact]
    public async Task Follows_new_events_until_the_deadline()
    {
        var log = Log;
        log.Append(Event("old", BerthEvent.Now()));
        var seen = new List<string>();
        long since = BerthEvent.Now() + 1; // from here on, however late the reader's thread starts
        long until = since + 3_000_000_000;
        var reader = Task.Run(() => new EventReader(log).Read(since, until, follow: true, (e, _) => { lock (seen) seen.Add(e.Action); }));
        await Task.Delay(300);
        log.Append(Event("start", BerthEvent.Now()));
        await Task.Delay(100);
        File.Move(log.Path, log.PreviousPath); // rotation while following
        log.Append(Event("die", BerthEvent.Now()));
        await reader.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(["start", "die"], seen); // not the one from before since
    }

    [Fact]
    public void Filters_like_docker()
    {
        var f = EventFilter.Parse(["type=container", "event=start", "event=die", "container=web"]);
        Assert.True(f.Matches(Event("start", 1)));
        Assert.True(f.Matches(Event("die", 1)));
        Assert.False(f.Matches(Event("create", 1)));
        Assert.False(f.Matches(Event("start", 1, name: "db")));
        Assert.True(EventFilter.Parse(["label=lb"]).Matches(Event("start", 1) with { Attributes = new(StringComparer.Ordinal) { ["lb"] = "web" } }));
        Assert.True(EventFilter.Parse(["label=lb=web"]).Matches(Event("start", 1) with { Attributes = new(StringComparer.Ordinal) { ["lb"] = "web" } }));
        Assert.False(EventFilter.Parse(["label=lb=db"]).Matches(Event("start", 1) with { Attributes = new(StringComparer.Ordinal) { ["lb"] = "web" } }));
        Assert.Contains("invalid filter 'colour'", Assert.Throws<BerthException>(() => EventFilter.Parse(["colour=red"])).Message);
    }

    [Fact]
    public void Parses_dockers_time_forms()
    {
        var now = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000);
        Assert.Equal(1_700_000_000_000_000_000, EventLog.ParseTime("1700000000", now));
        Assert.Equal(1_700_000_000_500_000_000, EventLog.ParseTime("1700000000.5", now));
        Assert.Equal(1_699_999_400_000_000_000, EventLog.ParseTime("10m", now));
        Assert.Equal(1_699_994_600_000_000_000, EventLog.ParseTime("1h30m", now));
        Assert.Equal(1_700_000_000_000_000_000, EventLog.ParseTime("2023-11-14T22:13:20Z", now));
        Assert.Throws<BerthException>(() => EventLog.ParseTime("yesterday", now));
    }
}

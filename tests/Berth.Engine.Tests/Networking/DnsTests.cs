using System.Buffers.Binary;
using Berth.Engine.Networking.Dns;
using Berth.Engine.Networking.Ipam;

namespace Berth.Engine.Tests.Networking;

public class DnsTests
{
    private static byte[] Query(string name, ushort type, ushort id = 0x1234)
    {
        var q = new List<byte> { (byte)(id >> 8), (byte)id, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0 };
        q.AddRange(DnsMessage.EncodeName(name));
        q.AddRange([(byte)(type >> 8), (byte)type, 0, 1]);
        return [.. q];
    }

    private static uint Ip(string s) => Ipv4.Parse(s);

    private static DnsRecords Records() => new(
    [
        new DnsEntry("net-a", "aaaaaaaaaaaa1111", "web", ["api"], Ip("172.20.0.2")),
        new DnsEntry("net-a", "bbbbbbbbbbbb2222", "web2", ["api"], Ip("172.20.0.3")),
        new DnsEntry("net-a", "cccccccccccc3333", "client", [], Ip("172.20.0.4")),
        new DnsEntry("net-b", "cccccccccccc3333", "client", [], Ip("172.21.0.2")),
        new DnsEntry("net-b", "dddddddddddd4444", "db", ["store"], Ip("172.21.0.3")),
        new DnsEntry("net-c", "eeeeeeeeeeee5555", "secret", [], Ip("172.22.0.2")),
    ], new Dictionary<string, string> { ["net-a"] = "front", ["net-b"] = "back", ["net-c"] = "other" });

    [Fact]
    public void Parses_a_query_and_answers_with_a_records()
    {
        var query = Query("Web.", DnsQuestion.A);
        var q = DnsMessage.ParseQuery(query)!;
        Assert.Equal(("web", DnsQuestion.A, (ushort)0x1234), (q.Name, q.Type, q.Id));
        Assert.True(q.RecursionDesired);
        var answer = DnsMessage.Answer(query, q, DnsMessage.NoError, [Ip("172.20.0.2"), Ip("172.20.0.3")]);
        Assert.Equal(0x1234, BinaryPrimitives.ReadUInt16BigEndian(answer));
        ushort flags = BinaryPrimitives.ReadUInt16BigEndian(answer.AsSpan(2));
        Assert.Equal(0x8000, flags & 0x8000); // a response
        Assert.Equal(0x0100, flags & 0x0100); // RD echoed
        Assert.Equal(0, flags & 0xF);
        Assert.Equal(2, BinaryPrimitives.ReadUInt16BigEndian(answer.AsSpan(6)));
        int first = query.Length; // answers follow the echoed question
        Assert.Equal(0xC00C, BinaryPrimitives.ReadUInt16BigEndian(answer.AsSpan(first)));
        Assert.Equal(new byte[] { 172, 20, 0, 2 }, answer[(first + 12)..(first + 16)]);
        Assert.Equal(DnsMessage.NxDomain, BinaryPrimitives.ReadUInt16BigEndian(DnsMessage.Answer(query, q, DnsMessage.NxDomain, []).AsSpan(2)) & 0xF);
    }

    [Theory]
    [InlineData(new byte[] { 1, 2, 3 })]
    [InlineData(new byte[] { 0, 1, 0x81, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1 })] // a response, not a query
    [InlineData(new byte[] { 0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xC0, 12, 0, 1, 0, 1 })] // a name pointing at itself
    [InlineData(new byte[] { 0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 63, 1, 2 })] // a label past the end
    public void Refuses_malformed_messages(byte[] message) => Assert.Null(DnsMessage.ParseQuery(message));

    [Fact]
    public void Resolves_names_ids_and_aliases_on_the_network_asked_through()
    {
        var r = Records();
        Assert.Equal([Ip("172.20.0.2")], r.Resolve("net-a", Ip("172.20.0.4"), "web", DnsQuestion.A).Addresses);
        Assert.Equal([Ip("172.20.0.2")], r.Resolve("net-a", Ip("172.20.0.4"), "aaaaaaaaaaaa", DnsQuestion.A).Addresses);
        Assert.Equal([Ip("172.20.0.2")], r.Resolve("net-a", Ip("172.20.0.4"), "web.front", DnsQuestion.A).Addresses);
        Assert.Equal(DnsOutcome.NxDomain, r.Resolve("net-a", Ip("172.20.0.4"), "nope.front", DnsQuestion.A).Outcome);
        var aaaa = r.Resolve("net-a", Ip("172.20.0.4"), "web", DnsQuestion.AAAA);
        Assert.Equal((DnsOutcome.Answer, 0), (aaaa.Outcome, aaaa.Addresses.Count)); // the name exists, without IPv6
    }

    [Fact]
    public void Rotates_several_containers_sharing_an_alias()
    {
        var r = Records();
        var firsts = Enumerable.Range(0, 4).Select(_ => r.Resolve("net-a", Ip("172.20.0.4"), "api", DnsQuestion.A).Addresses).ToList();
        Assert.All(firsts, a => Assert.Equal(2, a.Count));
        Assert.Equal([Ip("172.20.0.2"), Ip("172.20.0.3"), Ip("172.20.0.2"), Ip("172.20.0.3")], firsts.Select(a => a[0]));
    }

    [Fact]
    public void Keeps_the_rotation_across_reloads()
    {
        var turns = new Dictionary<string, int>();
        var first = new DnsRecords(Records_entries(), Names(), turns).Resolve("net-a", Ip("172.20.0.4"), "api", DnsQuestion.A).Addresses[0];
        var second = new DnsRecords(Records_entries(), Names(), turns).Resolve("net-a", Ip("172.20.0.4"), "api", DnsQuestion.A).Addresses[0];
        Assert.NotEqual(first, second);
    }

    private static List<DnsEntry> Records_entries() =>
    [
        new DnsEntry("net-a", "aaaaaaaaaaaa1111", "web", ["api"], Ip("172.20.0.2")),
        new DnsEntry("net-a", "bbbbbbbbbbbb2222", "web2", ["api"], Ip("172.20.0.3")),
    ];

    private static Dictionary<string, string> Names() => new() { ["net-a"] = "front" };

    [Fact]
    public void Answers_a_client_from_all_its_networks_and_isolates_the_rest()
    {
        var r = Records();
        // client is on front and back: it finds db (back) while asking through front.
        Assert.Equal([Ip("172.21.0.3")], r.Resolve("net-a", Ip("172.20.0.4"), "store", DnsQuestion.A).Addresses);
        // web is only on front: db and the other network's container are unknown to it.
        Assert.Equal(DnsOutcome.NxDomain, r.Resolve("net-a", Ip("172.20.0.2"), "db", DnsQuestion.A).Outcome);
        Assert.Equal(DnsOutcome.NxDomain, r.Resolve("net-a", Ip("172.20.0.4"), "secret", DnsQuestion.A).Outcome);
    }

    [Fact]
    public void Forwards_other_names_and_answers_reverse_lookups_of_its_containers()
    {
        var r = Records();
        Assert.Equal(DnsOutcome.Forward, r.Resolve("net-a", Ip("172.20.0.4"), "example.org", DnsQuestion.A).Outcome);
        var ptr = r.Resolve("net-a", Ip("172.20.0.4"), "2.0.20.172.in-addr.arpa", DnsQuestion.PTR);
        Assert.Equal((DnsOutcome.Answer, "web.front"), (ptr.Outcome, ptr.PtrName));
        Assert.Equal(DnsOutcome.Forward, r.Resolve("net-a", Ip("172.20.0.4"), "2.0.22.172.in-addr.arpa", DnsQuestion.PTR).Outcome);
    }
}

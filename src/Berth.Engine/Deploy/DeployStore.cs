using System.Globalization;
using Berth.Engine.Metadata;

namespace Berth.Engine.Deploy;

/// <summary>Services and their revisions in the metadata database.</summary>
public sealed class DeployStore(MetadataDb db)
{
    public MetadataDb Db => db;

    private const string ServiceColumns = "project, service, spec, network, revision, lb_pid, lb_start, updated";

    public DeployedService? Get(string project, string service) =>
        db.Query($"SELECT {ServiceColumns} FROM deploy_services WHERE project=$p AND service=$s", MapService, ("$p", project), ("$s", service)).FirstOrDefault();

    public IReadOnlyList<DeployedService> List(string? project = null) => project is null
        ? db.Query($"SELECT {ServiceColumns} FROM deploy_services ORDER BY project, service", MapService)
        : db.Query($"SELECT {ServiceColumns} FROM deploy_services WHERE project=$p ORDER BY service", MapService, ("$p", project));

    /// <summary>A service by <c>project-service</c>, or by its bare name when one project has it.</summary>
    public DeployedService Find(string name)
    {
        var all = List();
        var exact = all.Where(s => s.Key == name).ToList();
        if (exact.Count == 1) return exact[0];
        var bare = all.Where(s => s.Service == name).ToList();
        if (bare.Count == 1) return bare[0];
        if (bare.Count > 1)
            throw new BerthException($"service {name} is ambiguous: name one of {string.Join(", ", bare.Select(s => s.Key))}");
        throw new NotFoundException($"no such service: {name} (deployed services: {(all.Count == 0 ? "none" : string.Join(", ", all.Select(s => s.Key)))})");
    }

    public void Put(DeployedService s) =>
        db.Execute("""
            INSERT INTO deploy_services(key, project, service, spec, network, revision, lb_pid, lb_start, updated) VALUES($k, $p, $s, $spec, $n, $r, $lp, $ls, $u)
            ON CONFLICT(key) DO UPDATE SET spec=$spec, network=$n, revision=$r, lb_pid=$lp, lb_start=$ls, updated=$u
            """, ("$k", s.Key), ("$p", s.Project), ("$s", s.Service), ("$spec", DeployJson.Write(s.Spec)), ("$n", s.Network), ("$r", s.Revision),
            ("$lp", s.LbPid), ("$ls", s.LbStart), ("$u", Time(DateTimeOffset.UtcNow)));

    public void Delete(string project, string service) =>
        db.Execute("DELETE FROM deploy_services WHERE key=$k", ("$k", DeployedService.KeyOf(project, service)));

    public IReadOnlyList<Revision> Revisions(string key) =>
        db.Query("SELECT number, image, image_id, spec, created, user, strategy, status, note FROM deploy_revisions WHERE service_key=$k ORDER BY number", MapRevision, ("$k", key));

    public int NextRevision(string key) =>
        Convert.ToInt32(db.Scalar("SELECT COALESCE(MAX(number), 0) + 1 FROM deploy_revisions WHERE service_key=$k", ("$k", key)), CultureInfo.InvariantCulture);

    public void AddRevision(string key, Revision r) =>
        db.Execute("""
            INSERT INTO deploy_revisions(service_key, number, image, image_id, spec, created, user, strategy, status, note)
            VALUES($k, $n, $i, $id, $spec, $c, $u, $st, $status, $note)
            """, ("$k", key), ("$n", r.Number), ("$i", r.Image), ("$id", r.ImageId), ("$spec", DeployJson.Write(r.Spec)), ("$c", Time(r.Created)),
            ("$u", r.User), ("$st", r.Strategy), ("$status", r.Status), ("$note", r.Note));

    public void SetRevisionStatus(string key, int number, string status, string? note = null) =>
        db.Execute("UPDATE deploy_revisions SET status=$s, note=COALESCE($note, note) WHERE service_key=$k AND number=$n",
            ("$k", key), ("$n", number), ("$s", status), ("$note", note));

    private static DeployedService MapService(SqlReader r) => new()
    {
        Project = r.GetString(0), Service = r.GetString(1), Spec = DeployJson.Read(r.GetString(2)), Network = r.GetString(3),
        Revision = r.GetInt32(4), LbPid = r.GetInt32(5), LbStart = r.GetInt64(6), Updated = Parse(r.GetString(7)),
    };

    private static Revision MapRevision(SqlReader r) => new()
    {
        Number = r.GetInt32(0), Image = r.GetString(1), ImageId = r.GetString(2), Spec = DeployJson.Read(r.GetString(3)),
        Created = Parse(r.GetString(4)), User = r.GetString(5), Strategy = r.GetString(6), Status = r.GetString(7), Note = r.GetString(8),
    };

    private static string Time(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);

    private static DateTimeOffset Parse(string s) => DateTimeOffset.Parse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
}

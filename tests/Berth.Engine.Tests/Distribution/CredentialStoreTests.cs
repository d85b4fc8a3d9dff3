using System.Text;
using System.Text.Json;
using Berth.Engine.Distribution;
using Berth.Engine.Tests.Layers;

namespace Berth.Engine.Tests.Distribution;

public class CredentialStoreTests
{
    [Fact]
    public void ReadsDockersFormatAndKeepsOtherKeysWhenWriting()
    {
        using var dir = new TempDir();
        var path = Path.Combine(dir.Path, "config.json");
        var auth = Convert.ToBase64String(Encoding.UTF8.GetBytes("alice:s3:cret"));
        File.WriteAllText(path,
            "{\"auths\": {\"https://index.docker.io/v1/\": {\"auth\": \"" + auth + "\"}, \"http://reg.example:5000/v2/\": {\"auth\": \"" + auth + "\"}}," +
            " \"credsStore\": \"\", \"psFormat\": \"table {{.ID}}\"}");
        var store = new CredentialStore(path);
        Assert.Equal(new Credential("alice", "s3:cret"), store.Get("docker.io"));
        Assert.Equal(new Credential("alice", "s3:cret"), store.Get("reg.example:5000"));
        Assert.Null(store.Get("other:5000"));

        store.Set("localhost:5000", new Credential("bob", "pw"));
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        Assert.Equal("table {{.ID}}", doc.RootElement.GetProperty("psFormat").GetString());
        Assert.Equal(Convert.ToBase64String("bob:pw"u8.ToArray()), doc.RootElement.GetProperty("auths").GetProperty("localhost:5000").GetProperty("auth").GetString());
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));

        Assert.True(store.Remove("reg.example:5000"));
        Assert.False(store.Remove("reg.example:5000"));
        Assert.Null(store.Get("reg.example:5000"));
        Assert.Equal(new Credential("bob", "pw"), store.Get("localhost:5000"));
    }

    [Fact]
    public void MissingFileHasNoLoginsAndIsCreatedOnSet()
    {
        using var dir = new TempDir();
        var store = new CredentialStore(Path.Combine(dir.Path, "sub", "config.json"));
        Assert.Null(store.Get("docker.io"));
        Assert.False(store.Remove("docker.io"));
        store.Set("docker.io", new Credential("u", "p"));
        Assert.Contains("https://index.docker.io/v1/", File.ReadAllText(store.Path));
    }

    [Fact]
    public void MalformedFileIsOneLineError()
    {
        using var dir = new TempDir();
        var path = Path.Combine(dir.Path, "config.json");
        File.WriteAllText(path, "{not json");
        var e = Assert.ThrowsAny<BerthException>(() => new CredentialStore(path).Get("docker.io"));
        Assert.Contains("malformed JSON", e.Message);
    }
}

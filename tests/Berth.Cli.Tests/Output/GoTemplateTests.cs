using System.Text.Json.Nodes;
using Berth.Cli.Output;
using Berth.Engine;

namespace Berth.Cli.Tests.Output;

public class GoTemplateTests
{
    private static readonly JsonNode Data = JsonNode.Parse("""
        {"Id":"sha256:abc","Name":"/web","Config":{"Env":["A=1","B=2"],"Labels":{"x":"y"}},"State":{"Running":true,"Pid":42},"Tags":[]}
        """)!;

    private static string Render(string t) => GoTemplate.Parse(t).Render(Data);

    [Theory]
    [InlineData("{{.Id}}", "sha256:abc")]
    [InlineData("{{.State.Pid}}", "42")]
    [InlineData("{{.State.Running}}", "true")]
    [InlineData("{{json .Config.Env}}", "[\"A=1\",\"B=2\"]")]
    [InlineData("{{join .Config.Env \",\"}}", "A=1,B=2")]
    [InlineData("{{index .Config.Labels \"x\"}}", "y")]
    [InlineData("{{range .Config.Env}}[{{.}}]{{end}}", "[A=1][B=2]")]
    [InlineData("{{if .State.Running}}up{{else}}down{{end}}", "up")]
    [InlineData("{{if .Tags}}tagged{{else}}none{{end}}", "none")]
    [InlineData("{{.Name | upper}}", "/WEB")]
    [InlineData("{{printf \"%s-%s\" .Name .Id}}", "/web-sha256:abc")]
    [InlineData("{{.Config.Labels}}", "map[x:y]")]
    [InlineData("{{len .Config.Env}}", "2")]
    [InlineData("a {{- \" b \" -}} c", "a b c")]
    public void RendersLikeGoTextTemplate(string template, string expected) => Assert.Equal(expected, Render(template));

    [Theory]
    [InlineData("{{.Nope}}")]
    [InlineData("{{if .Id}}x")]
    [InlineData("{{nosuchfunc .Id}}")]
    [InlineData("{{.Id")]
    public void BadTemplatesAreUserErrors(string template) =>
        Assert.ThrowsAny<BerthException>(() => Render(template));
}

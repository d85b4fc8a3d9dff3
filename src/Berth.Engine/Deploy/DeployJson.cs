using System.Text.Json.Serialization;
using Berth.Engine.Compose;

namespace Berth.Engine.Deploy;

/// <summary>Source-generated JSON for service specs kept in the revisions table.</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ComposeService))]
internal sealed partial class DeployJson : JsonSerializerContext
{
    public static string Write(ComposeService s) => System.Text.Json.JsonSerializer.Serialize(s, Default.ComposeService);

    public static ComposeService Read(string json) =>
        System.Text.Json.JsonSerializer.Deserialize(json, Default.ComposeService) ?? throw new BerthException("a stored service spec is empty", BerthException.EngineError);
}

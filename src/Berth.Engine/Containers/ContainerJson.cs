using System.Text.Json.Serialization;

namespace Berth.Engine.Containers;

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(Dictionary<string, string>))]
internal sealed partial class ContainerJson : JsonSerializerContext;

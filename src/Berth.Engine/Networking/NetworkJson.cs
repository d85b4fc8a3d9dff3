using System.Text.Json.Serialization;

namespace Berth.Engine.Networking;

[JsonSerializable(typeof(Dictionary<string, string>))]
[JsonSerializable(typeof(List<string>))]
internal sealed partial class NetworkJson : JsonSerializerContext;

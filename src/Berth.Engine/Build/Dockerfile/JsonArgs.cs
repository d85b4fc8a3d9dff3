using System.Text;
using System.Text.Json;

namespace Berth.Engine.Build.Dockerfile;

/// <summary>
/// The exec (JSON array) form of an instruction's arguments. Text that is not valid JSON falls back
/// to shell form, as docker does; a valid array holding anything but strings is an error.
/// </summary>
internal static class JsonArgs
{
    public enum Outcome { NotJson, Strings, NotStrings }

    public const string NotStringsMessage = "when using JSON array syntax, arrays must be comprised of strings only";

    public static Outcome TryParse(string rest, out List<string> values)
    {
        values = [];
        var text = rest.TrimStart();
        if (!text.StartsWith('[')) return Outcome.NotJson;
        var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(text), new JsonReaderOptions { MaxDepth = 512 });
        bool onlyStrings = true;
        try
        {
            while (reader.Read())
            {
                if (reader.CurrentDepth != 1) continue;
                if (reader.TokenType == JsonTokenType.String) values.Add(reader.GetString()!);
                else if (reader.TokenType is not (JsonTokenType.EndArray or JsonTokenType.EndObject)) onlyStrings = false;
            }
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            values = [];
            return Outcome.NotJson;
        }
        if (onlyStrings) return Outcome.Strings;
        values = [];
        return Outcome.NotStrings;
    }
}

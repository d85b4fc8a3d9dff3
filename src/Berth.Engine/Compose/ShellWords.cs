using System.Text;

namespace Berth.Engine.Compose;

/// <summary>Splits a command string into words as a POSIX shell would (quotes and backslashes, no expansion), as compose does.</summary>
public static class ShellWords
{
    public static List<string> Split(string text)
    {
        var words = new List<string>();
        var word = new StringBuilder();
        bool inWord = false;
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (char.IsWhiteSpace(c))
            {
                if (inWord) { words.Add(word.ToString()); word.Clear(); inWord = false; }
                continue;
            }
            inWord = true;
            if (c == '\\' && i + 1 < text.Length) { word.Append(text[++i]); continue; }
            if (c == '\'')
            {
                int end = text.IndexOf('\'', i + 1);
                if (end < 0) throw new FormatException($"unterminated single quote in \"{text}\"");
                word.Append(text, i + 1, end - i - 1);
                i = end;
                continue;
            }
            if (c == '"')
            {
                int j = i + 1;
                for (; j < text.Length && text[j] != '"'; j++)
                {
                    if (text[j] == '\\' && j + 1 < text.Length && text[j + 1] is '"' or '\\' or '$' or '`') j++;
                    word.Append(text[j]);
                }
                if (j >= text.Length) throw new FormatException($"unterminated double quote in \"{text}\"");
                i = j;
                continue;
            }
            word.Append(c);
        }
        if (inWord) words.Add(word.ToString());
        return words;
    }
}

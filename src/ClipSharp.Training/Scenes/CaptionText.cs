using System.Text;
using System.Text.RegularExpressions;

namespace ClipSharp.Scenes;

/// <summary>Small text helpers shared by the caption writers and the vocabulary.</summary>
public static partial class CaptionText
{
    /// <summary>Replaces each <c>{name}</c> slot with its value.</summary>
    public static string Fill(string template, params (string Slot, string Value)[] values)
    {
        var sb = new StringBuilder(template);
        foreach (var (slot, value) in values) sb.Replace("{" + slot + "}", value);
        return sb.ToString();
    }

    /// <summary>The template with its slots removed (for collecting vocabulary).</summary>
    public static string StripSlots(string template) => SlotRegex().Replace(template, " ");

    /// <summary>First letter upper-cased.</summary>
    public static string Capitalize(string s) => s.Length == 0 ? s : char.ToUpperInvariant(s[0]) + s[1..];

    /// <summary>Every word's first letter upper-cased.</summary>
    public static string TitleCase(string s) =>
        string.Join(' ', s.Split(' ').Select(w => w.Length > 0 && char.IsLetter(w[0]) ? Capitalize(w) : w));

    /// <summary>"a", "a and b", "a, b and c".</summary>
    public static string JoinList(IReadOnlyList<string> items) => items.Count switch
    {
        0 => "",
        1 => items[0],
        _ => string.Join(", ", items.Take(items.Count - 1)) + " and " + items[^1],
    };

    /// <summary>Number of whitespace-separated words.</summary>
    public static int WordCount(string s) => s.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;

    /// <summary>Sentences of a caption (split after '.', '!' or '?').</summary>
    public static IReadOnlyList<string> Sentences(string s) =>
        SentenceRegex().Matches(s).Select(m => m.Value.Trim()).Where(x => x.Length > 0).ToList();

    /// <summary>Karpathy-style tokens: lower-case runs of letters and digits, punctuation dropped.</summary>
    public static IReadOnlyList<string> KarpathyTokens(string s) =>
        WordRegex().Matches(s.ToLowerInvariant()).Select(m => m.Value).ToList();

    /// <summary>
    /// BERT basic tokenization for ASCII text: lower-case, split on whitespace, and make every punctuation character
    /// (ASCII 33–47, 58–64, 91–96, 123–126) a token of its own.
    /// </summary>
    public static IReadOnlyList<string> BasicTokens(string s)
    {
        var tokens = new List<string>();
        var word = new StringBuilder();
        void Flush() { if (word.Length > 0) { tokens.Add(word.ToString()); word.Clear(); } }
        foreach (var ch in s.ToLowerInvariant())
        {
            if (char.IsWhiteSpace(ch)) Flush();
            else if (IsPunctuation(ch)) { Flush(); tokens.Add(ch.ToString()); }
            else word.Append(ch);
        }
        Flush();
        return tokens;
    }

    /// <summary>BERT's punctuation test (ASCII ranges plus Unicode punctuation).</summary>
    public static bool IsPunctuation(char c) =>
        c is >= '!' and <= '/' or >= ':' and <= '@' or >= '[' and <= '`' or >= '{' and <= '~' || char.IsPunctuation(c);

    [GeneratedRegex(@"\{[A-Za-z0-9_]+\}")]
    private static partial Regex SlotRegex();

    [GeneratedRegex(@"[^.!?]+[.!?]*")]
    private static partial Regex SentenceRegex();

    [GeneratedRegex(@"[a-z0-9]+")]
    private static partial Regex WordRegex();
}

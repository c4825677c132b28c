using System.Globalization;
using System.Text;

namespace ClipSharp.Text;

/// <summary>
/// OpenCLIP's text cleaners. <see cref="Whitespace"/> = <c>whitespace_clean(basic_clean(text))</c>: ftfy fix_text,
/// <c>html.unescape</c> twice, whitespace runs to one space, strip (the CLIPS tokenizer's cleaner; BERT lower-cases
/// later). <see cref="Lower"/> = the same followed by Python's <c>str.lower()</c> (the CLIP BPE tokenizer's cleaner).
/// </summary>
public static class TextCleaner
{
    /// <summary>ftfy + html.unescape x2 + whitespace collapse + strip.</summary>
    public static string Whitespace(string text)
    {
        text = TextFixer.Fix(text);
        text = HtmlEntities.Unescape(HtmlEntities.Unescape(text));
        return CollapseWhitespace(text);
    }

    /// <summary><see cref="Whitespace"/> followed by Python <c>str.lower()</c>.</summary>
    public static string Lower(string text) => PythonLower(Whitespace(text));

    /// <summary>Python <c>re.sub(r"\s+", " ", text).strip()</c> with Python's notion of whitespace.</summary>
    public static string CollapseWhitespace(string text)
    {
        var clean = text.Length == 0 || (!IsPythonSpace(text[0]) && !IsPythonSpace(text[^1]));
        for (var i = 0; i < text.Length && clean; i++)
            if (IsPythonSpace(text[i]) && (text[i] != ' ' || IsPythonSpace(text[i + 1]))) clean = false;
        if (clean) return text;
        var sb = new StringBuilder(text.Length);
        var pendingSpace = false;
        foreach (var c in text)
        {
            if (IsPythonSpace(c)) { pendingSpace = sb.Length > 0; continue; }
            if (pendingSpace) { sb.Append(' '); pendingSpace = false; }
            sb.Append(c);
        }
        return sb.ToString();
    }

    /// <summary>Python <c>str.isspace()</c> for one UTF-16 unit (all whitespace is in the BMP).</summary>
    public static bool IsPythonSpace(char c) =>
        c is ' ' or (>= '\t' and <= '\r') or (>= '\u001C' and <= '\u001F') || (c > 0x7F && char.IsWhiteSpace(c));

    /// <summary>
    /// Python <c>str.lower()</c>: the simple lower-case mapping plus the full mapping of U+0130 (to "i\u0307") and
    /// the Final_Sigma rule (capital sigma at the end of a word becomes U+03C2).
    /// </summary>
    public static string PythonLower(string text)
    {
        var ascii = true;
        foreach (var c in text) if (c > 0x7F) { ascii = false; break; }
        if (ascii) return text.ToLowerInvariant();

        var sb = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length;)
        {
            Rune.DecodeFromUtf16(text.AsSpan(i), out var rune, out var used);
            if (rune.Value == 0x130) sb.Append("i\u0307");
            else if (rune.Value == 0x3A3) sb.Append(IsFinalSigma(text, i) ? '\u03C2' : '\u03C3');
            else sb.Append(Rune.ToLowerInvariant(rune).ToString());
            i += used;
        }
        return sb.ToString();
    }

    // Unicode Final_Sigma: preceded by a cased letter (skipping case-ignorables) and not followed by one.
    private static bool IsFinalSigma(string s, int at)
    {
        var j = at - 1;
        while (j >= 0 && IsCaseIgnorable(s[j])) j--;
        if (j < 0 || !IsCased(s[j])) return false;
        var k = at + 1;
        while (k < s.Length && IsCaseIgnorable(s[k])) k++;
        return k >= s.Length || !IsCased(s[k]);
    }

    private static bool IsCased(char c) => CharUnicodeInfo.GetUnicodeCategory(c) is UnicodeCategory.UppercaseLetter
        or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter;

    private static bool IsCaseIgnorable(char c) => c is '\'' or '.' or ':' or '^' or '`' or '\u00B7' or '\u2019'
        || CharUnicodeInfo.GetUnicodeCategory(c) is UnicodeCategory.NonSpacingMark or UnicodeCategory.EnclosingMark
            or UnicodeCategory.Format or UnicodeCategory.ModifierLetter or UnicodeCategory.ModifierSymbol;
}

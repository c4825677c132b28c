using System.Text;

namespace ClipSharp.Text;

/// <summary>
/// HTML character-reference decoding: <see cref="Unescape"/> has the semantics of Python's <c>html.unescape</c>
/// (HTML5 rules: numeric references with or without ';', the Windows-1252 remap of 0x80..0x9F, U+FFFD for invalid code
/// points, every HTML5 named reference with ';' and the legacy names that also match without ';', longest prefix);
/// <see cref="UnescapeTerminated"/> is ftfy's <c>unescape_html</c> step. Names come from <see cref="Html5EntityTable"/>.
/// </summary>
public static class HtmlEntities
{
    /// <summary>Windows-1252 characters for bytes 0x80..0x9F (undefined bytes map to themselves).</summary>
    internal const string Cp1252High =
        "\u20AC\u0081\u201A\u0192\u201E\u2026\u2020\u2021\u02C6\u2030\u0160\u2039\u0152\u008D\u017D\u008F" +
        "\u0090\u2018\u2019\u201C\u201D\u2022\u2013\u2014\u02DC\u2122\u0161\u203A\u0153\u009D\u017E\u0178";

    /// <summary>Python <c>html.unescape(text)</c>.</summary>
    public static string Unescape(string text)
    {
        var amp = text.IndexOf('&');
        if (amp < 0) return text;
        var sb = new StringBuilder(text.Length);
        sb.Append(text, 0, amp);
        var i = amp;
        while (i < text.Length)
        {
            if (text[i] != '&') { sb.Append(text[i++]); continue; }
            var consumed = TryReference(text, i, requireSemicolon: false, sb);
            if (consumed == 0) { sb.Append('&'); i++; }
            else i += consumed;
        }
        return sb.ToString();
    }

    /// <summary>
    /// ftfy's <c>unescape_html</c> step: only references of the form <c>&amp;#?[0-9A-Za-z]{1,24};</c> are decoded:
    /// names from ftfy's table (HTML5 names with ';' and all-caps spellings such as "&amp;EACUTE;"), and numeric
    /// references that <c>html.unescape</c> decodes whole.
    /// </summary>
    public static string UnescapeTerminated(string text)
    {
        if (text.IndexOf('&') < 0) return text;
        var sb = new StringBuilder(text.Length);
        var i = 0;
        while (i < text.Length)
        {
            if (text[i] != '&') { sb.Append(text[i++]); continue; }
            var j = i + 1;
            if (j < text.Length && text[j] == '#') j++;
            var start = j;
            while (j < text.Length && j - start < 24 && char.IsAsciiLetterOrDigit(text[j])) j++;
            if (j > start && j < text.Length && text[j] == ';' && TryTerminated(text[i..(j + 1)], sb))
                i = j + 1;
            else
                sb.Append(text[i++]);
        }
        return sb.ToString();
    }

    private static bool TryTerminated(string reference, StringBuilder sb)
    {
        if (Html5EntityTable.Ftfy.TryGetValue(reference, out var value)) { sb.Append(value); return true; }
        return reference[1] == '#' && TryReference(reference, 0, true, sb) > 0;
    }

    // Decodes the reference starting at text[at] == '&' into sb; returns the number of chars consumed (0: none).
    private static int TryReference(string text, int at, bool requireSemicolon, StringBuilder sb)
    {
        var i = at + 1;
        if (i < text.Length && text[i] == '#')
        {
            var hex = i + 1 < text.Length && (text[i + 1] == 'x' || text[i + 1] == 'X');
            var start = hex ? i + 2 : i + 1;
            var j = start;
            while (j < text.Length && (hex ? char.IsAsciiHexDigit(text[j]) : char.IsAsciiDigit(text[j]))) j++;
            if (j == start) return 0;
            var semi = j < text.Length && text[j] == ';';
            if (requireSemicolon && !semi) return 0;
            sb.Append(FromCodePoint(ParseNumber(text.AsSpan(start, j - start), hex)));
            return j - at + (semi ? 1 : 0);
        }
        // Python: [^\t\n\f <&#;]{1,32};?
        var n = i;
        while (n < text.Length && n - i < 32 && "\t\n\f <&#;".IndexOf(text[n]) < 0) n++;
        if (n == i) return 0;
        var name = text[i..n];
        if (n < text.Length && text[n] == ';' && Html5EntityTable.Named.TryGetValue(name + ";", out var named))
        {
            sb.Append(named);
            return n + 1 - at;
        }
        if (requireSemicolon) return 0;
        // Longest legacy prefix (the names without ';'), at least 2 characters, as Python does.
        for (var len = name.Length; len >= 2; len--)
        {
            if (Html5EntityTable.Named.TryGetValue(name[..len], out var v)) { sb.Append(v); return 1 + len; }
        }
        return 0;
    }

    private static long ParseNumber(ReadOnlySpan<char> digits, bool hex)
    {
        long v = 0;
        foreach (var c in digits)
        {
            v = v * (hex ? 16 : 10) + (hex ? Convert.ToInt32(c.ToString(), 16) : c - '0');
            if (v > 0x10FFFF) return 0x110000; // Python maps anything above the Unicode range to U+FFFD
        }
        return v;
    }

    private static string FromCodePoint(long num)
    {
        if (num == 0) return "\uFFFD";
        if (num == 0x0D) return "\r";
        if (num >= 0x80 && num <= 0x9F) return Cp1252High[(int)num - 0x80].ToString();
        if (num >= 0xD800 && num <= 0xDFFF || num > 0x10FFFF) return "\uFFFD";
        if (num is >= 0x1 and <= 0x8 or 0xB or >= 0xE and <= 0x1F or 0x7F or >= 0xFDD0 and <= 0xFDEF
            || (num & 0xFFFE) == 0xFFFE) return "";
        return char.ConvertFromUtf32((int)num);
    }
}

using System.Globalization;
using System.Net;
using System.Text;

namespace ClipSharp.Text;

/// <summary>
/// HTML character-reference decoding with the semantics of Python's <c>html.unescape</c> (HTML5 rules): numeric
/// references with or without ';', the Windows-1252 remap of 0x80..0x9F, U+FFFD for invalid code points, named
/// references with ';' and the legacy names that also match without ';' (longest prefix). Named references are
/// looked up in the HTML 4 entity set (what <see cref="WebUtility.HtmlDecode(string)"/> knows), which covers caption
/// text; the rarer HTML5-only names are left as they are.
/// </summary>
public static class HtmlEntities
{
    // HTML5 legacy names that decode without a trailing ';': the HTML 4 Latin-1 set (U+00A0..U+00FF in order)
    // plus a few upper-case aliases.
    private static readonly string[] Latin1Names =
    [
        "nbsp", "iexcl", "cent", "pound", "curren", "yen", "brvbar", "sect", "uml", "copy", "ordf", "laquo", "not",
        "shy", "reg", "macr", "deg", "plusmn", "sup2", "sup3", "acute", "micro", "para", "middot", "cedil", "sup1",
        "ordm", "raquo", "frac14", "frac12", "frac34", "iquest", "Agrave", "Aacute", "Acirc", "Atilde", "Auml",
        "Aring", "AElig", "Ccedil", "Egrave", "Eacute", "Ecirc", "Euml", "Igrave", "Iacute", "Icirc", "Iuml", "ETH",
        "Ntilde", "Ograve", "Oacute", "Ocirc", "Otilde", "Ouml", "times", "Oslash", "Ugrave", "Uacute", "Ucirc",
        "Uuml", "Yacute", "THORN", "szlig", "agrave", "aacute", "acirc", "atilde", "auml", "aring", "aelig", "ccedil",
        "egrave", "eacute", "ecirc", "euml", "igrave", "iacute", "icirc", "iuml", "eth", "ntilde", "ograve", "oacute",
        "ocirc", "otilde", "ouml", "divide", "oslash", "ugrave", "uacute", "ucirc", "uuml", "yacute", "thorn", "yuml",
    ];

    private static readonly Dictionary<string, string> Legacy = BuildLegacy();

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
    /// ftfy's <c>unescape_html</c> step: only references of the form <c>&amp;#?[0-9A-Za-z]{1,24};</c> are decoded.
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
            if (j > start && j < text.Length && text[j] == ';' && TryReference(text[i..(j + 1)], 0, true, sb) > 0)
                i = j + 1;
            else
                sb.Append(text[i++]);
        }
        return sb.ToString();
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
        if (n < text.Length && text[n] == ';')
        {
            var decoded = WebUtility.HtmlDecode("&" + name + ";");
            if (decoded != "&" + name + ";") { sb.Append(decoded); return n + 1 - at; }
        }
        if (requireSemicolon) return 0;
        // Longest legacy prefix (names without ';'), at least 2 characters, as Python does.
        for (var len = name.Length; len >= 2; len--)
        {
            if (Legacy.TryGetValue(name[..len], out var v)) { sb.Append(v); return 1 + len; }
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

    private static Dictionary<string, string> BuildLegacy()
    {
        var d = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["amp"] = "&", ["AMP"] = "&", ["lt"] = "<", ["LT"] = "<", ["gt"] = ">", ["GT"] = ">",
            ["quot"] = "\"", ["QUOT"] = "\"", ["COPY"] = "\u00A9", ["REG"] = "\u00AE",
        };
        for (var k = 0; k < Latin1Names.Length; k++)
            d[Latin1Names[k]] = ((char)(0xA0 + k)).ToString(CultureInfo.InvariantCulture);
        return d;
    }
}

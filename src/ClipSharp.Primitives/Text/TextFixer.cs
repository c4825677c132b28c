using System.Text;

namespace ClipSharp.Text;

/// <summary>
/// ftfy 6.3.1 <c>fix_text</c> with its default configuration, as OpenCLIP's cleaners call it (CLIP BPE "lower" and
/// CLIPS WordPiece "whitespace" both start with <c>ftfy.fix_text</c>). Checked case by case against the real ftfy in
/// tests/fixtures/ftfy (TokenizerParityTests.TextFixerMatchesFtfy, generator tests/fixture-gen/ftfy_cases.py).
/// </summary>
/// <remarks>
/// The text is fixed in segments: each line (up to and including its '\n'), cut after max_decode_length
/// (1,000,000) code points; HTML unescaping is "auto": off from the first segment that holds a '&lt;' to the end.
/// Each segment repeats these steps, in ftfy's order, until a round changes nothing:
/// <list type="number">
/// <item>unescape_html - implemented (<see cref="HtmlEntities.UnescapeTerminated"/>: HTML5 names with ';', the
///   all-caps spellings ftfy adds, numeric references).</item>
/// <item>fix_encoding - implemented for Windows-1252 / Latin-1 mojibake with a strict local rule instead of ftfy's
///   badness score (<see cref="MojibakeFixer"/>). Left out, each shown by a fixture case that differs from ftfy
///   (<c>FtfyKnownDifferences</c> in the tests): restore_byte_a0 (a space standing for byte 0xA0, "voilÃ le"),
///   replace_lossy_sequences (mojibake with '?' or U+FFFD in it), the other code pages ftfy tries (MacRoman, cp437,
///   Windows-1250/1251/1253/1254/1257, ISO-8859-2), and ftfy's whole-segment decisions (it can leave mojibake that
///   is mixed with text its score calls good, and can decode legitimate "Â"/"Ã" before a space). decode_inconsistent_utf8
///   (mojibake next to characters no code page encodes) needs nothing more: the local rule already decodes such runs.</item>
/// <item>fix_c1_controls - implemented (U+0080..U+009F as Windows-1252; undefined bytes stay).</item>
/// <item>fix_latin_ligatures - implemented (the 22 ligatures and digraphs ftfy lists; not æ, œ).</item>
/// <item>fix_character_width - implemented (<see cref="UnicodeNormalizer.FoldWidth"/>: U+3000 and U+FF01..U+FFEF by
///   NFKC).</item>
/// <item>uncurl_quotes - implemented (U+02BC, U+2018..U+201B to ', U+201C..U+201F to ").</item>
/// <item>fix_line_breaks - implemented (CRLF, CR, U+2028, U+2029, U+0085 to '\n').</item>
/// <item>fix_surrogates - implemented (a lone surrogate becomes U+FFFD; a pair is already the character in UTF-16).</item>
/// <item>remove_terminal_escapes - implemented (ESC '[' digits/';' then an ASCII letter).</item>
/// <item>remove_control_chars - implemented (U+0000-0008, 000B, 000E-001F, 007F, 206A-206F, FEFF, FFF9-FFFC).</item>
/// <item>normalization "NFC" - implemented (<see cref="UnicodeNormalizer.ToNfc"/>).</item>
/// </list>
/// explain: fix_text turns explanations off; they never change the text, so there is nothing to implement.
/// </remarks>
public static class TextFixer
{
    /// <summary>ftfy's default max_decode_length: the longest segment, in code points.</summary>
    public const int MaxDecodeLength = 1_000_000;

    /// <summary>ftfy.fix_text(text) (the steps listed on the type).</summary>
    public static string Fix(string text) => Fix(text, MaxDecodeLength);

    /// <summary>ftfy.fix_text(text, max_decode_length=<paramref name="maxDecodeLength"/>).</summary>
    public static string Fix(string text, int maxDecodeLength)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxDecodeLength, 1);
        if (IsPlainAscii(text)) return text;
        if (SegmentEnd(text, 0, maxDecodeLength) == text.Length) return FixSegment(text, !text.Contains('<'));
        var sb = new StringBuilder(text.Length);
        var unescape = true;
        var pos = 0;
        while (pos < text.Length)
        {
            var end = SegmentEnd(text, pos, maxDecodeLength);
            var segment = text[pos..end];
            if (segment.Contains('<')) unescape = false;
            sb.Append(FixSegment(segment, unescape));
            pos = end;
        }
        return sb.ToString();
    }

    // ftfy fix_text: a segment ends after the next '\n', or after maxLength code points.
    private static int SegmentEnd(string text, int pos, int maxLength)
    {
        var newline = text.IndexOf('\n', pos);
        var end = newline < 0 ? text.Length : newline + 1;
        var i = pos;
        for (var n = 0; n < maxLength && i < end; n++)
            i += char.IsHighSurrogate(text[i]) && i + 1 < end && char.IsLowSurrogate(text[i + 1]) ? 2 : 1;
        return i;
    }

    private static string FixSegment(string text, bool unescape)
    {
        while (true)
        {
            var before = text;
            if (unescape) text = HtmlEntities.UnescapeTerminated(text);
            text = MojibakeFixer.Fix(text);
            text = MojibakeFixer.FixC1Controls(text);
            text = FixLigatures(text);
            text = UnicodeNormalizer.FoldWidth(text);
            text = UncurlQuotes(text);
            text = FixLineBreaks(text);
            text = FixSurrogates(text);
            text = RemoveTerminalEscapes(text);
            text = RemoveControlChars(text);
            text = UnicodeNormalizer.ToNfc(text);
            if (text == before) return text;
        }
    }

    // Printable ASCII plus tab and newline, without '&': nothing in fix_text changes such a string.
    private static bool IsPlainAscii(string s)
    {
        foreach (var c in s)
            if (c >= 0x7F || c == '&' || (c < 0x20 && c != '\t' && c != '\n')) return false;
        return true;
    }

    private static string FixLigatures(string text)
    {
        if (!text.Any(c => c is >= '\uFB00' and <= '\uFB06' or >= '\u01C4' and <= '\u01CC' or >= '\u01F1' and <= '\u01F3'
                or '\u0132' or '\u0133' or '\u0149')) return text;
        var sb = new StringBuilder(text.Length + 4);
        foreach (var c in text)
        {
            sb.Append(c switch
            {
                '\u0132' => "IJ", '\u0133' => "ij", '\u0149' => "\u02BCn",
                '\u01C4' => "D\u017D", '\u01C5' => "D\u017E", '\u01C6' => "d\u017E",
                '\u01C7' => "LJ", '\u01C8' => "Lj", '\u01C9' => "lj",
                '\u01CA' => "NJ", '\u01CB' => "Nj", '\u01CC' => "nj",
                '\u01F1' => "DZ", '\u01F2' => "Dz", '\u01F3' => "dz",
                '\uFB00' => "ff", '\uFB01' => "fi", '\uFB02' => "fl", '\uFB03' => "ffi", '\uFB04' => "ffl",
                '\uFB05' => "\u017Ft", '\uFB06' => "st",
                _ => c.ToString(),
            });
        }
        return sb.ToString();
    }

    // ftfy uncurl_quotes: [\u02BC\u2018-\u201B] -> ', [\u201C-\u201F] -> "
    private static string UncurlQuotes(string text)
    {
        if (!text.Any(c => c is '\u02BC' or >= '\u2018' and <= '\u201F')) return text;
        return string.Create(text.Length, text, (span, s) =>
        {
            for (var i = 0; i < s.Length; i++)
                span[i] = s[i] switch { '\u02BC' or >= '\u2018' and <= '\u201B' => '\'', >= '\u201C' and <= '\u201F' => '"', _ => s[i] };
        });
    }

    private static string FixLineBreaks(string text)
    {
        if (!text.Any(c => c is '\r' or '\u2028' or '\u2029' or '\u0085')) return text;
        return text.Replace("\r\n", "\n").Replace('\r', '\n').Replace('\u2028', '\n').Replace('\u2029', '\n')
            .Replace('\u0085', '\n');
    }

    private static string FixSurrogates(string text)
    {
        if (!text.Any(char.IsSurrogate)) return text;
        var sb = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                sb.Append(text, i, 2);
                i++;
            }
            else sb.Append(char.IsSurrogate(text[i]) ? '\uFFFD' : text[i]);
        }
        return sb.ToString();
    }

    // ftfy remove_terminal_escapes: "\x1b\[((?:\d|;)*)([a-zA-Z])" removed; \d is any Unicode decimal digit (Nd).
    private static string RemoveTerminalEscapes(string text)
    {
        var esc = text.IndexOf('\u001B');
        if (esc < 0) return text;
        var sb = new StringBuilder(text.Length);
        sb.Append(text, 0, esc);
        var i = esc;
        while (i < text.Length)
        {
            var end = text[i] == '\u001B' ? TerminalEscapeEnd(text, i) : -1;
            if (end > 0) { i = end; continue; }
            sb.Append(text[i++]);
        }
        return sb.ToString();
    }

    // The index just after the escape sequence that starts at text[at] == ESC, or -1.
    private static int TerminalEscapeEnd(string text, int at)
    {
        if (at + 1 >= text.Length || text[at + 1] != '[') return -1;
        var j = at + 2;
        while (j < text.Length)
        {
            if (text[j] == ';') { j++; continue; }
            if (Rune.DecodeFromUtf16(text.AsSpan(j), out var r, out var used) != System.Buffers.OperationStatus.Done
                || !Rune.IsDigit(r)) break;
            j += used;
        }
        return j < text.Length && char.IsAsciiLetter(text[j]) ? j + 1 : -1;
    }

    // ftfy remove_control_chars: U+0000-0008, 000B, 000E-001F, 007F, 206A-206F, FEFF, FFF9-FFFC.
    private static bool IsRemovedControl(char c) =>
        c is <= '\u0008' or '\u000B' or >= '\u000E' and <= '\u001F' or '\u007F' or >= '\u206A' and <= '\u206F'
            or '\uFEFF' or >= '\uFFF9' and <= '\uFFFC';

    private static string RemoveControlChars(string text)
    {
        if (!text.Any(IsRemovedControl)) return text;
        var sb = new StringBuilder(text.Length);
        foreach (var c in text) if (!IsRemovedControl(c)) sb.Append(c);
        return sb.ToString();
    }
}

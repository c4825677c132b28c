using System.Text;

namespace ClipSharp.Text;

/// <summary>
/// The parts of ftfy's <c>fix_text</c> (default configuration) that matter for caption text, applied in ftfy's order
/// and repeated until nothing changes: HTML entities (only when the text has no '&lt;'), mojibake repair (UTF-8 that
/// was decoded as Windows-1252/Latin-1, also nested), Latin ligatures, character width, curly quotes, line breaks,
/// lone surrogates, control characters, then NFC. ftfy's statistical "badness" heuristic is replaced by a strict
/// rule: a run of Windows-1252-encodable characters is re-decoded only where its bytes form valid multi-byte UTF-8.
/// </summary>
public static class TextFixer
{
    /// <summary>ftfy.fix_text (the subset described on the type).</summary>
    public static string Fix(string text)
    {
        if (IsPlainAscii(text)) return text;
        var unescape = text.IndexOf('<') < 0;
        for (var round = 0; round < 8; round++)
        {
            var before = text;
            if (unescape) text = HtmlEntities.UnescapeTerminated(text);
            text = FixMojibake(text);
            text = FixC1Controls(text);
            text = FixLigatures(text);
            text = UnicodeNormalizer.FoldWidth(text);
            text = UncurlQuotes(text);
            text = FixLineBreaks(text);
            text = FixSurrogates(text);
            text = RemoveControlChars(text);
            text = UnicodeNormalizer.ToNfc(text);
            if (text == before) break;
        }
        return text;
    }

    // Printable ASCII plus tab/newline/CR, without '&': nothing in fix_text changes such a string.
    private static bool IsPlainAscii(string s)
    {
        foreach (var c in s)
            if (c >= 0x7F || c == '&' || (c < 0x20 && c != '\t' && c != '\n' && c != '\r')) return false;
        return true;
    }

    // Byte a character would have in "sloppy" Windows-1252 (ftfy's superset: undefined bytes and C1 controls map to
    // themselves), or -1.
    private static int SloppyByte(char c)
    {
        if (c < 0x80 || (c >= 0xA0 && c <= 0xFF)) return c;
        if (c <= 0x9F) return c;
        var k = HtmlEntities.Cp1252High.IndexOf(c);
        return k < 0 ? -1 : 0x80 + k;
    }

    private static string FixMojibake(string text)
    {
        var hasCandidate = false;
        foreach (var c in text)
            if (c >= 0xC2 && c <= 0xF4) { hasCandidate = true; break; }
        if (!hasCandidate) return text;

        var sb = new StringBuilder(text.Length);
        Span<byte> buf = stackalloc byte[4];
        var i = 0;
        while (i < text.Length)
        {
            var lead = SloppyByte(text[i]);
            var need = lead switch { >= 0xC2 and <= 0xDF => 1, >= 0xE0 and <= 0xEF => 2, >= 0xF0 and <= 0xF4 => 3, _ => 0 };
            if (need > 0 && i + need < text.Length)
            {
                buf[0] = (byte)lead;
                var ok = true;
                for (var k = 1; k <= need && ok; k++)
                {
                    var b = SloppyByte(text[i + k]);
                    ok = b >= 0x80 && b <= 0xBF;
                    if (ok) buf[k] = (byte)b;
                }
                if (ok && TryDecodeOne(buf[..(need + 1)], out var decoded))
                {
                    sb.Append(decoded);
                    i += need + 1;
                    continue;
                }
            }
            sb.Append(text[i++]);
        }
        return sb.ToString();
    }

    // Strict UTF-8 decode of one sequence (rejects overlongs and surrogates).
    private static bool TryDecodeOne(ReadOnlySpan<byte> bytes, out string decoded)
    {
        decoded = "";
        if (Rune.DecodeFromUtf8(bytes, out var rune, out var used) != System.Buffers.OperationStatus.Done
            || used != bytes.Length) return false;
        decoded = rune.ToString();
        return true;
    }

    // ftfy fix_c1_controls: C1 control characters are Windows-1252 bytes decoded as Latin-1.
    private static string FixC1Controls(string text)
    {
        if (!text.Any(c => c >= 0x80 && c <= 0x9F)) return text;
        return string.Create(text.Length, text, (span, s) =>
        {
            for (var i = 0; i < s.Length; i++)
                span[i] = s[i] >= 0x80 && s[i] <= 0x9F ? HtmlEntities.Cp1252High[s[i] - 0x80] : s[i];
        });
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

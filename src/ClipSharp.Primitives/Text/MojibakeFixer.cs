using System.Text;

namespace ClipSharp.Text;

/// <summary>
/// ftfy's <c>fix_encoding</c> as ClipSharp does it, and its <c>fix_c1_controls</c>: UTF-8 that was decoded as
/// Windows-1252 or Latin-1 (also several times over) is decoded again. ftfy decides with a statistical "badness" score
/// over the whole segment and tries ten single-byte code pages; here the rule is local: a run of characters that
/// sloppy Windows-1252 encodes to one well-formed UTF-8 sequence (no overlongs, no surrogates) is replaced by the
/// character it encodes. Where the segment shows mojibake (such a run, or ftfy's own signs of a lost no-break space:
/// a lower-case letter, at most one space, then "Ã " or "Â "; or "Ã "/"Â " opening the segment; or a lead byte followed
/// by U+FFFD, or a three-byte sequence cut by '?') two of ftfy's repairs apply as well: restore_byte_a0 ("Ã " is "à", "Â " a no-break
/// space) and replace_lossy_sequences (a sequence with one byte lost to '?' or U+FFFD becomes U+FFFD).
/// See <see cref="TextFixer"/> for the cases where this differs from ftfy.
/// </summary>
internal static class MojibakeFixer
{
    // ftfy restore_byte_a0: after "Ã " these keep the space as part of the word ("às", "àquele").
    private static readonly string[] AGraveWordStarts = [" ", "quele", "quela", "quilo", "s "];

    private static readonly System.Text.RegularExpressions.Regex LostNoBreakSpace =
        new(@"[a-z]\s?[\u00C2\u00C3] |^[\u00C2\u00C3] ", System.Text.RegularExpressions.RegexOptions.CultureInvariant);

    /// <summary>Re-decodes UTF-8 sequences hidden in Windows-1252 / Latin-1 text (one segment).</summary>
    public static string Fix(string text)
    {
        var hasCandidate = false;
        foreach (var c in text)
            if (c >= 0xC2 && c <= 0xF4) { hasCandidate = true; break; }
        if (!hasCandidate) return text;
        var strict = Decode(text, repair: false, out var decoded);
        var bad = decoded || LostNoBreakSpace.IsMatch(text) || HasCutSequence(text);
        return bad ? Decode(text, repair: true, out _) : strict;
    }

    private static string Decode(string text, bool repair, out bool decodedAny)
    {
        decodedAny = false;
        var sb = new StringBuilder(text.Length);
        var i = 0;
        while (i < text.Length)
        {
            var used = TryStrict(text, i, sb);
            if (used == 0 && repair) used = TryLossy(text, i, sb);
            if (used == 0 && repair) used = TryNoBreakSpace(text, i, sb);
            if (used > 0) { decodedAny = true; i += used; }
            else sb.Append(text[i++]);
        }
        return sb.ToString();
    }

    // Continuation bytes a lead byte needs (0: not a lead byte).
    private static int Needs(int lead) => lead switch { >= 0xC2 and <= 0xDF => 1, >= 0xE0 and <= 0xEF => 2, >= 0xF0 and <= 0xF4 => 3, _ => 0 };

    private static int TryStrict(string text, int at, StringBuilder sb)
    {
        var lead = SloppyByte(text[at]);
        var need = Needs(lead);
        if (need == 0 || at + need >= text.Length) return 0;
        Span<byte> buf = stackalloc byte[4];
        buf[0] = (byte)lead;
        for (var k = 1; k <= need; k++)
        {
            var b = SloppyByte(text[at + k]);
            if (b < 0x80 || b > 0xBF) return 0;
            buf[k] = (byte)b;
        }
        if (!TryDecodeOne(buf[..(need + 1)], out var decoded)) return 0;
        sb.Append(decoded);
        return need + 1;
    }

    // ftfy replace_lossy_sequences: a sequence whose bytes are continuation bytes, lost bytes (U+FFFD, i.e. sloppy
    // byte 0x1A) and at most one '?', with at least one byte lost, is one U+FFFD. Two-byte sequences: "[C2-DF] 1A" or
    // "[C2-C3] ?".
    private static int TryLossy(string text, int at, StringBuilder sb)
    {
        var lead = SloppyByte(text[at]);
        var need = Needs(lead);
        if (need == 0 || at + need >= text.Length) return 0;
        int lost = 0, questions = 0;
        for (var k = 1; k <= need; k++)
        {
            var c = text[at + k];
            if (c is '\uFFFD' or '\u001A') lost++;
            else if (c == '?') questions++;
            else if (SloppyByte(c) is < 0x80 or > 0xBF) return 0;
        }
        var ok = need == 1 ? lost == 1 || (questions == 1 && lead <= 0xC3) : questions <= 1 && lost + questions >= 1;
        if (!ok) return 0;
        sb.Append('\uFFFD');
        return need + 1;
    }

    // ftfy restore_byte_a0 for the two-byte sequences it trusts most: "Ã " (U+00E0 with its no-break space lost) and
    // "Â " (U+00A0 itself).
    private static int TryNoBreakSpace(string text, int at, StringBuilder sb)
    {
        if (text[at] is not ('\u00C2' or '\u00C3') || at + 1 >= text.Length || text[at + 1] != ' ') return 0;
        if (text[at] == '\u00C2') { sb.Append('\u00A0'); return 2; }
        sb.Append('\u00E0');
        var rest = text.AsSpan(at + 2);
        foreach (var w in AGraveWordStarts)
            if (rest.StartsWith(w, StringComparison.Ordinal)) return 2;
        return 1; // "à" then the space
    }

    // A lead byte followed by U+FFFD ("Ã\uFFFD"), or a three-byte sequence cut by '?' or U+FFFD after a real
    // continuation byte, such as "â€?" for a lost closing quote.
    private static bool HasCutSequence(string text)
    {
        for (var i = 0; i + 1 < text.Length; i++)
        {
            var need = Needs(SloppyByte(text[i]));
            if (need == 0) continue;
            if (text[i + 1] == '\uFFFD') return true;
            if (need == 2 && i + 2 < text.Length && SloppyByte(text[i + 1]) is >= 0x80 and <= 0xBF
                && text[i + 2] is '?' or '\uFFFD') return true;
        }
        return false;
    }

    /// <summary>ftfy fix_c1_controls: C1 control characters are Windows-1252 bytes decoded as Latin-1.</summary>
    public static string FixC1Controls(string text)
    {
        if (!text.Any(c => c >= 0x80 && c <= 0x9F)) return text;
        return string.Create(text.Length, text, (span, s) =>
        {
            for (var i = 0; i < s.Length; i++)
                span[i] = s[i] >= 0x80 && s[i] <= 0x9F ? HtmlEntities.Cp1252High[s[i] - 0x80] : s[i];
        });
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

    // Strict UTF-8 decode of one sequence (rejects overlongs and surrogates).
    private static bool TryDecodeOne(ReadOnlySpan<byte> bytes, out string decoded)
    {
        decoded = "";
        if (Rune.DecodeFromUtf8(bytes, out var rune, out var used) != System.Buffers.OperationStatus.Done
            || used != bytes.Length) return false;
        decoded = rune.ToString();
        return true;
    }
}

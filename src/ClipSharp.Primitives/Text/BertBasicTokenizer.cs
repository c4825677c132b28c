using System.Globalization;
using System.Text;

namespace ClipSharp.Text;

/// <summary>
/// BERT's basic tokenization as the Hugging Face tokenizers core does it for <c>BertWordPieceTokenizer</c>
/// (lowercase=True): the normalizer (drop NUL, U+FFFD and other-category characters except \t \n \r; whitespace to
/// spaces; spaces around CJK ideographs; NFD and removal of non-spacing marks; per-character lower-case) and the
/// pre-tokenizer (split on whitespace, every punctuation character its own word).
/// </summary>
public static class BertBasicTokenizer
{
    /// <summary>The normalized text (clean, CJK spacing, strip accents, lower-case).</summary>
    public static string Normalize(string text)
    {
        var sb = new StringBuilder(text.Length + 8);
        var ascii = true;
        foreach (var rune in text.EnumerateRunes())
        {
            var v = rune.Value;
            if (v is 0 or 0xFFFD) continue;
            if (v is '\t' or '\n' or '\r') { sb.Append(' '); continue; }
            var cat = Rune.GetUnicodeCategory(rune);
            if (cat is UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.OtherNotAssigned
                or UnicodeCategory.PrivateUse or UnicodeCategory.Surrogate) continue;
            if (IsWhitespace(rune)) { sb.Append(' '); continue; }
            if (IsCjk(v)) { sb.Append(' ').Append(rune.ToString()).Append(' '); ascii = false; continue; }
            if (v > 0x7F) ascii = false;
            sb.Append(rune.ToString());
        }
        var s = sb.ToString();
        if (ascii) return s.ToLowerInvariant();

        // Strip accents: NFD, then drop Mn; then the per-character lower-case mapping.
        var nfd = UnicodeNormalizer.ToNfd(s);
        sb.Clear();
        foreach (var rune in nfd.EnumerateRunes())
        {
            if (Rune.GetUnicodeCategory(rune) == UnicodeCategory.NonSpacingMark) continue;
            sb.Append(rune.Value == 0x130 ? "i\u0307" : Rune.ToLowerInvariant(rune).ToString());
        }
        return sb.ToString();
    }

    /// <summary>
    /// Words of normalized text as (start, length) ranges: whitespace separates, each punctuation character is a
    /// word of its own.
    /// </summary>
    public static void Split(string normalized, List<(int Start, int Length)> words)
    {
        var start = -1;
        for (var i = 0; i < normalized.Length;)
        {
            Rune.DecodeFromUtf16(normalized.AsSpan(i), out var rune, out var w);
            if (IsWhitespace(rune) || IsPunctuation(rune))
            {
                if (start >= 0) { words.Add((start, i - start)); start = -1; }
                if (!IsWhitespace(rune)) words.Add((i, w));
            }
            else if (start < 0) start = i;
            i += w;
        }
        if (start >= 0) words.Add((start, normalized.Length - start));
    }

    // Rust char::is_whitespace (Unicode White_Space).
    private static bool IsWhitespace(Rune r) => r.Value is (>= 0x09 and <= 0x0D) or 0x20 or 0x85 or 0xA0 or 0x1680
        or (>= 0x2000 and <= 0x200A) or 0x2028 or 0x2029 or 0x202F or 0x205F or 0x3000;

    // ASCII 33-47, 58-64, 91-96, 123-126, or a Unicode P* character.
    private static bool IsPunctuation(Rune r)
    {
        var v = r.Value;
        if (v is (>= 33 and <= 47) or (>= 58 and <= 64) or (>= 91 and <= 96) or (>= 123 and <= 126)) return true;
        return Rune.GetUnicodeCategory(r) is UnicodeCategory.ConnectorPunctuation or UnicodeCategory.DashPunctuation
            or UnicodeCategory.OpenPunctuation or UnicodeCategory.ClosePunctuation or UnicodeCategory.InitialQuotePunctuation
            or UnicodeCategory.FinalQuotePunctuation or UnicodeCategory.OtherPunctuation;
    }

    // The "Chinese character" blocks of the BERT reference code (CJK Unified Ideographs and extensions, compatibility).
    private static bool IsCjk(int v) => v is (>= 0x4E00 and <= 0x9FFF) or (>= 0x3400 and <= 0x4DBF)
        or (>= 0x20000 and <= 0x2A6DF) or (>= 0x2A700 and <= 0x2B73F) or (>= 0x2B740 and <= 0x2B81F)
        or (>= 0x2B820 and <= 0x2CEAF) or (>= 0xF900 and <= 0xFAFF) or (>= 0x2F800 and <= 0x2FA1F);
}

using System.Globalization;
using System.Text;

namespace ClipSharp.Text;

/// <summary>
/// CLIP's pre-tokenizer, a hand-written scanner equivalent to OpenCLIP's pattern (Python <c>regex</c>, IGNORECASE)
/// <c>&lt;start_of_text&gt;|&lt;end_of_text&gt;|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+</c> applied
/// with <c>findall</c>: at each position the alternatives are tried in that order; whitespace between matches is
/// skipped. Works on code points (a .NET Regex would see surrogate halves of e.g. U+1D54F as non-letters) and
/// cannot backtrack, so it is linear in the text length.
/// </summary>
internal static class ClipPreTokenizer
{
    private static readonly string[] Contractions = ["'s", "'t", "'re", "'ve", "'m", "'ll", "'d"];

    /// <summary>Finds the next piece at or after <paramref name="pos"/>; false at the end of the text.</summary>
    public static bool Next(string text, ref int pos, string startToken, string endToken, out int start, out int length)
    {
        while (pos < text.Length && TextCleaner.IsPythonSpace(text[pos])) pos++;
        start = pos;
        length = 0;
        if (pos >= text.Length) return false;

        var rest = text.AsSpan(pos);
        if (StartsWithIgnoreCase(rest, startToken)) return Take(ref pos, startToken.Length, out length);
        if (StartsWithIgnoreCase(rest, endToken)) return Take(ref pos, endToken.Length, out length);
        if (rest[0] == '\'')
            foreach (var c in Contractions)
                if (StartsWithIgnoreCase(rest, c)) return Take(ref pos, c.Length, out length);

        var kind = Classify(text, pos, out var width);
        if (kind == CharKind.Number) return Take(ref pos, width, out length);
        var end = pos + width;
        while (end < text.Length)
        {
            var k = Classify(text, end, out var w);
            if (k != kind) break;
            end += w;
        }
        return Take(ref pos, end - pos, out length);
    }

    private static bool Take(ref int pos, int n, out int length)
    {
        length = n;
        pos += n;
        return true;
    }

    private static bool StartsWithIgnoreCase(ReadOnlySpan<char> s, string prefix) =>
        s.StartsWith(prefix, StringComparison.OrdinalIgnoreCase);

    private enum CharKind { Letter, Number, Other, Space }

    // Letter (\p{L}), Number (\p{N}), whitespace, or anything else; width in UTF-16 units.
    private static CharKind Classify(string text, int at, out int width)
    {
        if (Rune.DecodeFromUtf16(text.AsSpan(at), out var rune, out width) != System.Buffers.OperationStatus.Done)
            return CharKind.Other;
        if (rune.IsBmp && TextCleaner.IsPythonSpace((char)rune.Value)) return CharKind.Space;
        return Rune.GetUnicodeCategory(rune) switch
        {
            UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter
                or UnicodeCategory.ModifierLetter or UnicodeCategory.OtherLetter => CharKind.Letter,
            UnicodeCategory.DecimalDigitNumber or UnicodeCategory.LetterNumber or UnicodeCategory.OtherNumber => CharKind.Number,
            _ => CharKind.Other,
        };
    }
}

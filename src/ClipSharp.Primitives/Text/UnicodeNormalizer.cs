using System.Globalization;
using System.Text;

namespace ClipSharp.Text;

/// <summary>
/// Canonical Unicode normalization (NFD, NFC) and the halfwidth/fullwidth fold, implemented over
/// <see cref="UnicodeTables"/>. Needed because the library runs with InvariantGlobalization, where
/// <c>string.Normalize</c> leaves text unchanged. Algorithm: UAX #15 (full canonical decomposition incl. Hangul,
/// canonical ordering by combining class, canonical composition with blocking).
/// </summary>
public static class UnicodeNormalizer
{
    private const int SBase = 0xAC00, LBase = 0x1100, VBase = 0x1161, TBase = 0x11A7;
    private const int LCount = 19, VCount = 21, TCount = 28, NCount = VCount * TCount, SCount = LCount * NCount;

    private static readonly Dictionary<int, (int A, int B)> Decomp = new();
    private static readonly Dictionary<int, byte> Ccc = new();
    private static readonly Dictionary<long, int> Compose = new();
    private static readonly Dictionary<int, string> Width = new();

    static UnicodeNormalizer()
    {
        foreach (var (cp, map) in Parse(UnicodeTables.CanonicalDecompositions))
            Decomp[cp] = (map[0], map.Length > 1 ? map[1] : -1);
        foreach (var tok in UnicodeTables.CombiningClasses.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var colon = tok.IndexOf(':');
            var range = tok[..colon].Split('-');
            int first = Hex(range[0]), last = range.Length > 1 ? Hex(range[1]) : first;
            var cls = byte.Parse(tok[(colon + 1)..], CultureInfo.InvariantCulture);
            for (var cp = first; cp <= last; cp++) Ccc[cp] = cls;
        }
        var excluded = UnicodeTables.CompositionExclusions.Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Select(Hex).ToHashSet();
        // Primary composites: two-code-point mappings starting with a starter, minus the exclusion list.
        foreach (var (cp, (a, b)) in Decomp)
            if (b >= 0 && CombiningClass(a) == 0 && !excluded.Contains(cp)) Compose[Key(a, b)] = cp;
        foreach (var (cp, map) in Parse(UnicodeTables.WidthMap))
            Width[cp] = string.Concat(map.Select(char.ConvertFromUtf32));
    }

    /// <summary>Canonical combining class of a code point (0 for starters).</summary>
    public static int CombiningClass(int cp) => Ccc.TryGetValue(cp, out var c) ? c : 0;

    /// <summary>Unicode NFD (canonical decomposition + canonical ordering).</summary>
    public static string ToNfd(string s)
    {
        if (IsTriviallyNormalized(s)) return s;
        var cps = new List<int>(s.Length + 8);
        Decompose(s, cps);
        return FromCodePoints(cps);
    }

    /// <summary>Unicode NFC (NFD followed by canonical composition).</summary>
    public static string ToNfc(string s)
    {
        if (IsTriviallyNormalized(s)) return s;
        var cps = new List<int>(s.Length + 8);
        Decompose(s, cps);
        ComposeInPlace(cps);
        return FromCodePoints(cps);
    }

    /// <summary>
    /// ftfy's fix_character_width: halfwidth/fullwidth forms (U+FF01..U+FFEF) to their NFKC equivalents and the
    /// ideographic space U+3000 to a space.
    /// </summary>
    public static string FoldWidth(string s)
    {
        var any = false;
        foreach (var ch in s)
            if (ch == '\u3000' || (ch >= '\uFF01' && ch <= '\uFFEF')) { any = true; break; }
        if (!any) return s;
        var sb = new StringBuilder(s.Length);
        foreach (var ch in s)
        {
            if (ch == '\u3000') sb.Append(' ');
            else if (Width.TryGetValue(ch, out var w)) sb.Append(w);
            else sb.Append(ch);
        }
        return sb.ToString();
    }

    // Every code point below U+0300 is already in NFC and NFD-stable except Latin-1/Latin Extended letters with
    // decompositions; those start at U+00C0, so pure ASCII is the cheap common case.
    private static bool IsTriviallyNormalized(string s)
    {
        foreach (var ch in s) if (ch >= 0xC0) return false;
        return true;
    }

    private static void Decompose(string s, List<int> output)
    {
        foreach (var rune in s.EnumerateRunes())
        {
            var start = output.Count;
            DecomposeOne(rune.Value, output);
            // Canonical ordering: stable insertion sort of each run of non-starters by combining class.
            for (var i = Math.Max(start, 1); i < output.Count; i++)
            {
                var cc = CombiningClass(output[i]);
                if (cc == 0) continue;
                var j = i;
                while (j > 0 && CombiningClass(output[j - 1]) > cc)
                {
                    (output[j - 1], output[j]) = (output[j], output[j - 1]);
                    j--;
                }
            }
        }
    }

    private static void DecomposeOne(int cp, List<int> output)
    {
        if (cp >= SBase && cp < SBase + SCount)
        {
            var si = cp - SBase;
            output.Add(LBase + si / NCount);
            output.Add(VBase + si % NCount / TCount);
            if (si % TCount != 0) output.Add(TBase + si % TCount);
            return;
        }
        if (Decomp.TryGetValue(cp, out var d))
        {
            DecomposeOne(d.A, output);
            if (d.B >= 0) DecomposeOne(d.B, output);
            return;
        }
        output.Add(cp);
    }

    private static void ComposeInPlace(List<int> cps)
    {
        if (cps.Count == 0) return;
        var starter = 0;
        var lastClass = CombiningClass(cps[0]) == 0 ? 0 : 256;
        var write = 1;
        for (var read = 1; read < cps.Count; read++)
        {
            var cp = cps[read];
            var cc = CombiningClass(cp);
            var composite = TryCompose(cps[starter], cp);
            if (composite >= 0 && (lastClass < cc || (lastClass == 0 && write == starter + 1)))
            {
                cps[starter] = composite;
                continue;
            }
            if (cc == 0) starter = write;
            lastClass = cc;
            cps[write++] = cp;
        }
        cps.RemoveRange(write, cps.Count - write);
    }

    private static int TryCompose(int a, int b)
    {
        // Hangul LV and LVT syllables are algorithmic.
        if (a >= LBase && a < LBase + LCount && b >= VBase && b < VBase + VCount)
            return SBase + ((a - LBase) * VCount + (b - VBase)) * TCount;
        if (a >= SBase && a < SBase + SCount && (a - SBase) % TCount == 0 && b > TBase && b < TBase + TCount)
            return a + (b - TBase);
        return Compose.TryGetValue(Key(a, b), out var c) ? c : -1;
    }

    private static long Key(int a, int b) => ((long)a << 21) | (uint)b;

    private static string FromCodePoints(List<int> cps)
    {
        var sb = new StringBuilder(cps.Count + 4);
        foreach (var cp in cps) sb.Append(char.ConvertFromUtf32(cp));
        return sb.ToString();
    }

    private static int Hex(string s) => int.Parse(s, NumberStyles.HexNumber, CultureInfo.InvariantCulture);

    private static IEnumerable<(int Cp, int[] Map)> Parse(string table)
    {
        foreach (var tok in table.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var colon = tok.IndexOf(':');
            yield return (Hex(tok[..colon]), tok[(colon + 1)..].Split(',').Select(Hex).ToArray());
        }
    }
}

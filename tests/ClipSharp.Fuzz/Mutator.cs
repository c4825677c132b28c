using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace ClipSharp.Fuzz;

/// <summary>
/// Seeded byte mutations in the style of libFuzzer/AFL's havoc stage: bit flips, interesting bytes, byte insert and
/// delete, chunk duplication, splices with another seed, boundary integers written over length fields (binary, both
/// endiannesses, and as ASCII decimal/octal over a run of digits), dictionary tokens and truncation. One to four of them
/// are stacked per input. Everything comes from the given <see cref="Random"/>, so a seed replays the same inputs.
/// </summary>
public static class Mutator
{
    /// <summary>Integers that sit on the edges readers check: 0, ±1, powers of two around 8/16/32/63 bits, 2^40.</summary>
    public static readonly long[] BoundaryIntegers =
    [
        0, 1, -1, 2, 7, 8, 127, 128, 255, 256, 511, 512, 513, 4096, 65535, 65536, int.MaxValue, (long)int.MaxValue + 1,
        uint.MaxValue, 1L << 32, 1L << 33, 1L << 40, 8L << 30, 1L << 62, long.MaxValue, long.MinValue, int.MinValue, -2,
    ];

    private static readonly byte[] InterestingBytes = [0x00, 0x01, 0x7F, 0x80, 0xFF, 0x20, 0x0A, 0x22, 0x2E, 0x30, 0xC0, 0xED];

    /// <summary>Returns a mutated copy of <paramref name="seed"/> (never longer than <paramref name="maxLength"/>).</summary>
    public static byte[] Mutate(Random rng, byte[] seed, IReadOnlyList<byte[]> others, IReadOnlyList<byte[]> dictionary, int maxLength = 1 << 20)
    {
        var data = new List<byte>(seed);
        int stack = 1 + rng.Next(4);
        for (int i = 0; i < stack; i++) MutateOnce(rng, data, others, dictionary);
        if (data.Count > maxLength) data.RemoveRange(maxLength, data.Count - maxLength);
        return data.ToArray();
    }

    private static void MutateOnce(Random rng, List<byte> d, IReadOnlyList<byte[]> others, IReadOnlyList<byte[]> dictionary)
    {
        int op = rng.Next(12);
        if (d.Count == 0) op = 5; // only insertions make sense on nothing
        int Pos() => rng.Next(d.Count);
        switch (op)
        {
            case 0: { int p = Pos(); d[p] ^= (byte)(1 << rng.Next(8)); break; }                 // one bit
            case 1: { int n = 1 + rng.Next(8); for (int k = 0; k < n; k++) { int p = Pos(); d[p] ^= (byte)(1 << rng.Next(8)); } break; }
            case 2: d[Pos()] = InterestingBytes[rng.Next(InterestingBytes.Length)]; break;
            case 3: d[Pos()] = (byte)rng.Next(256); break;
            case 4: { int p = Pos(); d.RemoveRange(p, Math.Min(d.Count - p, 1 + rng.Next(rng.Next(2) == 0 ? 4 : 64))); break; }
            case 5: { var ins = new byte[1 + rng.Next(16)]; rng.NextBytes(ins); d.InsertRange(rng.Next(d.Count + 1), ins); break; }
            case 6: { int p = Pos(), n = Math.Min(d.Count - p, 1 + rng.Next(64)); var chunk = d.GetRange(p, n); d.InsertRange(rng.Next(d.Count + 1), chunk); break; }
            case 7: Splice(rng, d, others); break;
            case 8: BinaryInteger(rng, d); break;
            case 9: if (!TextInteger(rng, d)) BinaryInteger(rng, d); break;
            case 10: if (dictionary.Count > 0) { var t = dictionary[rng.Next(dictionary.Count)]; if (rng.Next(2) == 0) d.InsertRange(rng.Next(d.Count + 1), t); else Overwrite(d, Pos(), t); } break;
            default: Truncate(rng, d); break;
        }
    }

    private static void Truncate(Random rng, List<byte> d)
    {
        int keep = rng.Next(d.Count + 1);
        d.RemoveRange(keep, d.Count - keep);
    }

    // Replaces a range of d with a range of another seed (or of d itself).
    private static void Splice(Random rng, List<byte> d, IReadOnlyList<byte[]> others)
    {
        var src = others.Count > 0 ? others[rng.Next(others.Count)] : d.ToArray();
        if (src.Length == 0) return;
        int sp = rng.Next(src.Length), sn = Math.Min(src.Length - sp, 1 + rng.Next(256));
        int dp = rng.Next(d.Count + 1), dn = Math.Min(d.Count - dp, rng.Next(256));
        d.RemoveRange(dp, dn);
        d.InsertRange(dp, src.AsSpan(sp, sn).ToArray());
    }

    private static void BinaryInteger(Random rng, List<byte> d)
    {
        long v = BoundaryIntegers[rng.Next(BoundaryIntegers.Length)];
        if (rng.Next(4) == 0) v += rng.Next(-2, 3);
        int width = new[] { 1, 2, 4, 8 }[rng.Next(4)];
        var b = new byte[8];
        if (rng.Next(2) == 0) BinaryPrimitives.WriteInt64LittleEndian(b, v);
        else { BinaryPrimitives.WriteInt64BigEndian(b, v); b = b[(8 - width)..]; }
        Overwrite(d, rng.Next(d.Count), b[..width]);
    }

    // Finds a run of ASCII digits near a random spot and writes a boundary integer over it (decimal or octal), so
    // JSON shapes and offsets, tar sizes and pax record lengths take edge values while the text stays well formed.
    private static bool TextInteger(Random rng, List<byte> d)
    {
        int start = rng.Next(d.Count), p = -1;
        for (int k = 0; k < d.Count && p < 0; k++) if (d[(start + k) % d.Count] is >= (byte)'0' and <= (byte)'9') p = (start + k) % d.Count;
        if (p < 0) return false;
        int b = p, e = p;
        while (b > 0 && d[b - 1] is >= (byte)'0' and <= (byte)'9') b--;
        while (e < d.Count && d[e] is >= (byte)'0' and <= (byte)'9') e++;
        long v = BoundaryIntegers[rng.Next(BoundaryIntegers.Length)];
        bool octal = rng.Next(3) == 0;
        string s = octal ? Convert.ToString(v, 8).PadLeft(e - b, '0') : v.ToString(CultureInfo.InvariantCulture);
        if (rng.Next(2) == 0 && s.Length > e - b && !octal) s = s[..(e - b)]; // keep the width (fixed-size fields)
        d.RemoveRange(b, e - b);
        d.InsertRange(b, Encoding.ASCII.GetBytes(s));
        return true;
    }

    private static void Overwrite(List<byte> d, int at, byte[] bytes)
    {
        for (int i = 0; i < bytes.Length; i++)
        {
            if (at + i < d.Count) d[at + i] = bytes[i];
            else d.Add(bytes[i]);
        }
    }
}

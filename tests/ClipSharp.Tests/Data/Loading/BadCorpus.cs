using System.Buffers.Binary;
using System.Formats.Tar;
using System.Text;
using System.Text.Json;

namespace ClipSharp.Tests.Data.Loading;

/// <summary>
/// Bad inputs built by the tests: each case is a sample (or shard) that must be skipped with one reason, placed
/// between good samples that must survive. Good images and captions come from <see cref="TestWorld"/>.
/// </summary>
internal static class BadCorpus
{
    private static readonly Lazy<List<(string Key, string Web, string Synthetic, byte[] Jpg)>> World = new(() =>
        TestWorld.ReadAll().OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => (kv.Key, kv.Value.Web, kv.Value.Synthetic, kv.Value.Image)).ToList());

    /// <summary>The i-th good world sample.</summary>
    public static (string Key, string Web, string Synthetic, byte[] Jpg) Good(int i) => World.Value[i];

    public static byte[] Json(string? web, string? synthetic)
    {
        var d = new Dictionary<string, string>();
        if (web is not null) d["org_caption"] = web;
        if (synthetic is not null) d["re_caption"] = synthetic;
        return JsonSerializer.SerializeToUtf8Bytes(d);
    }

    public static readonly byte[] InvalidUtf8 = [(byte)'a', (byte)' ', 0xC3, 0x28, (byte)' ', 0xFF, (byte)'z'];

    /// <summary>Bytes that look like nothing libvips knows.</summary>
    public static byte[] Garbage(int n) => Enumerable.Range(0, n).Select(i => (byte)(i * 37 + 11)).ToArray();

    /// <summary>A JPEG cut to its first <paramref name="fraction"/>.</summary>
    public static byte[] Truncated(byte[] jpg, double fraction = 0.5) => jpg[..(int)(jpg.Length * fraction)];

    /// <summary>A PNG whose header claims <paramref name="w"/> x <paramref name="h"/> pixels (a decompression-bomb stand-in).</summary>
    public static byte[] GiganticPng(int w = 100_000, int h = 100_000)
    {
        var ms = new MemoryStream();
        ms.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);
        var ihdr = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, w);
        BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), h);
        ihdr[8] = 8;  // bit depth
        ihdr[9] = 2;  // RGB
        Chunk(ms, "IHDR", ihdr);
        Chunk(ms, "IDAT", [0x78, 0x9C, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01]); // an empty zlib stream
        Chunk(ms, "IEND", []);
        return ms.ToArray();
    }

    private static void Chunk(Stream s, string type, byte[] data)
    {
        var buf = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(buf, data.Length);
        s.Write(buf);
        var body = Encoding.ASCII.GetBytes(type).Concat(data).ToArray();
        s.Write(body);
        BinaryPrimitives.WriteUInt32BigEndian(buf, Crc32(body));
        s.Write(buf);
    }

    private static uint Crc32(byte[] data)
    {
        uint c = 0xFFFFFFFF;
        foreach (var b in data)
        {
            c ^= b;
            for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320 ^ (c >> 1) : c >> 1;
        }
        return ~c;
    }

    /// <summary>A ustar archive of the members, plus the byte offset where each member's header starts.</summary>
    public static (byte[] Tar, List<long> HeaderOffsets) Tar(IEnumerable<(string Name, byte[] Data)> members)
    {
        var ms = new MemoryStream();
        var offsets = new List<long>();
        using (var w = new TarWriter(ms, TarEntryFormat.Ustar, leaveOpen: true))
            foreach (var (name, data) in members)
            {
                offsets.Add(ms.Position);
                w.WriteEntry(new UstarTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(data) });
            }
        return (ms.ToArray(), offsets);
    }

    /// <summary>The members of good sample <paramref name="i"/> under <paramref name="key"/>.</summary>
    public static IEnumerable<(string, byte[])> GoodMembers(int i, string key)
    {
        var g = Good(i);
        yield return ($"{key}.jpg", g.Jpg);
        yield return ($"{key}.json", Json(g.Web, g.Synthetic));
    }
}

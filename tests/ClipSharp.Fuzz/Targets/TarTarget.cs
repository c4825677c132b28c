using System.Formats.Tar;
using System.Text;
using ClipSharp.Data;
using ClipSharp.Data.Sources;

namespace ClipSharp.Fuzz.Targets;

/// <summary>
/// Webdataset shards through <see cref="WebDatasetSource"/> (what the loader and `data inspect` read): tar member
/// headers (ustar, old GNU long names, pax path records, base-256 sizes), grouping into samples, then each sample's
/// caption members (.json/.txt). Three in four mutated inputs get their header checksums recomputed along the chain
/// of headers the reader will walk, so mutations reach past the checksum test.
/// </summary>
public sealed class TarTarget : FuzzTarget
{
    public override string Name => "tar";
    public override string Extension => ".tar";

    public override IReadOnlyList<byte[]> Dictionary { get; } =
    [
        "ustar\0"u8.ToArray(), "ustar  \0"u8.ToArray(), "00000000000"u8.ToArray(), "77777777777"u8.ToArray(), "10000000000"u8.ToArray(),
        [0x80, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0], [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff],
        "30 path=aaaaaaaaaaaaaaaaaaaaa\n"u8.ToArray(), "99999999999 path=x\n"u8.ToArray(), "5 a=\n"u8.ToArray(), "././@LongLink"u8.ToArray(),
        [(byte)'x'], [(byte)'L'], [(byte)'g'], [(byte)'5'], [(byte)'0'], "{\"org_caption\": 1}"u8.ToArray(), "\\udc00"u8.ToArray(), "\"\\ud800\""u8.ToArray(), .. JsonTokens.InvalidUtf8,
    ];

    protected override IReadOnlyList<byte[]> MakeSeeds() =>
    [
        Shard(TarEntryFormat.Ustar, "s0", 2),
        Shard(TarEntryFormat.Ustar, "dir/" + new string('d', 120) + "/k", 1), // name split into ustar prefix + name
        Shard(TarEntryFormat.Pax, new string('p', 140), 1),                   // pax "path" records
        Shard(TarEntryFormat.Gnu, new string('g', 130), 1),                   // GNU ././@LongLink names
    ];

    public override byte[] NextInput(Random rng)
    {
        var input = base.NextInput(rng);
        if (rng.Next(4) != 0) FixChecksums(input);
        return input;
    }

    public override long Run(byte[] input, string path)
    {
        var source = new WebDatasetSource(new DataSourceSpec { Path = path });
        foreach (var record in source.Read(0))
        {
            if (record.Error is { } error) throw error;
            _ = record.Load();
        }
        return 0;
    }

    private static byte[] Shard(TarEntryFormat format, string keyBase, int samples)
    {
        var ms = new MemoryStream();
        using (var w = new TarWriter(ms, format, leaveOpen: true))
            for (int i = 0; i < samples; i++)
            {
                var key = $"{keyBase}{i:D4}";
                Add(w, format, key + ".jpg", [0xFF, 0xD8, 0xFF, 0xE0, 1, 2, 3, 0xFF, 0xD9]);
                Add(w, format, key + ".json", Encoding.UTF8.GetBytes($$"""{"org_caption": "a cat {{i}} caf\u00e9 \ud83d\ude00", "re_caption": "A grey cat on a mat."}"""));
                Add(w, format, key + ".txt", "a cat, café ☕"u8.ToArray());
            }
        return ms.ToArray();
    }

    private static void Add(TarWriter w, TarEntryFormat format, string name, byte[] data)
    {
        TarEntry e = format switch
        {
            TarEntryFormat.Pax => new PaxTarEntry(TarEntryType.RegularFile, name),
            TarEntryFormat.Gnu => new GnuTarEntry(TarEntryType.RegularFile, name),
            _ => new UstarTarEntry(TarEntryType.RegularFile, name),
        };
        e.DataStream = new MemoryStream(data);
        w.WriteEntry(e);
    }

    // Walks headers as TarStreamReader does (header, data rounded up to 512) and rewrites each checksum field.
    private static void FixChecksums(byte[] tar)
    {
        for (long pos = 0; pos + 512 <= tar.Length;)
        {
            var h = tar.AsSpan((int)pos, 512);
            if (!h.ContainsAnyExcept((byte)0)) break;
            long sum = 0;
            for (int i = 0; i < 512; i++) sum += i is >= 148 and < 156 ? (byte)' ' : h[i];
            Encoding.ASCII.GetBytes(Convert.ToString(sum, 8).PadLeft(6, '0') + "\0 ").CopyTo(h[148..]);
            long size = OctalSize(h[124..136]);
            if (size < 0) break;
            pos += 512 + (size + 511) / 512 * 512;
        }
    }

    private static long OctalSize(ReadOnlySpan<byte> f)
    {
        long v = 0;
        foreach (var b in f)
        {
            if (b is (byte)' ' or 0) continue;
            if (b is < (byte)'0' or > (byte)'7' || v > (1L << 40)) return -1;
            v = v * 8 + (b - '0');
        }
        return v;
    }
}

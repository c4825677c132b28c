using System.Buffers.Binary;

namespace ClipSharp.Tests.Data.Images;

/// <summary>
/// A minimal PNG writer for tests that need an exact colour type, bit depth, palette and tRNS chunk (libvips chooses
/// these itself). Deflate "stored" blocks only, so the bytes depend on nothing but the arguments.
/// </summary>
internal static class TinyPng
{
    /// <summary>
    /// <paramref name="samples"/>: height rows of width * channels values (0 .. 2^depth - 1), channels by
    /// <paramref name="colourType"/> (0: 1, 2: 3, 3: 1 index, 4: 2, 6: 4). <paramref name="palette"/>: RGB triples
    /// (colour type 3); <paramref name="trns"/>: the raw tRNS chunk body, if any.
    /// </summary>
    public static byte[] Encode(int width, int height, int depth, int colourType, int[] samples, byte[]? palette = null, byte[]? trns = null)
    {
        int channels = colourType switch { 0 or 3 => 1, 2 => 3, 4 => 2, 6 => 4, _ => throw new ArgumentOutOfRangeException(nameof(colourType)) };
        if (samples.Length != width * height * channels) throw new ArgumentException("Wrong sample count.", nameof(samples));
        using var png = new MemoryStream();
        png.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);
        var ihdr = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, width);
        BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), height);
        ihdr[8] = (byte)depth; ihdr[9] = (byte)colourType;
        Chunk(png, "IHDR", ihdr);
        if (palette is not null) Chunk(png, "PLTE", palette);
        if (trns is not null) Chunk(png, "tRNS", trns);
        Chunk(png, "IDAT", Zlib(Rows(width, height, depth, channels, samples)));
        Chunk(png, "IEND", []);
        return png.ToArray();
    }

    // Filter type 0 per row; sub-byte depths packed from the most significant bit; 16 bits big-endian.
    private static byte[] Rows(int width, int height, int depth, int channels, int[] samples)
    {
        int rowBytes = (width * channels * depth + 7) / 8;
        var raw = new byte[height * (rowBytes + 1)];
        for (int y = 0; y < height; y++)
        {
            var row = raw.AsSpan(y * (rowBytes + 1) + 1, rowBytes);
            for (int i = 0; i < width * channels; i++)
            {
                int v = samples[y * width * channels + i];
                if (depth == 16) BinaryPrimitives.WriteUInt16BigEndian(row[(2 * i)..], (ushort)v);
                else if (depth == 8) row[i] = (byte)v;
                else row[i * depth / 8] |= (byte)(v << (8 - depth - i * depth % 8));
            }
        }
        return raw;
    }

    // zlib stream of stored deflate blocks (at most 65535 bytes each) and the Adler-32 of the data.
    private static byte[] Zlib(byte[] data)
    {
        using var z = new MemoryStream();
        z.Write([0x78, 0x01]);
        int pos = 0;
        do
        {
            int n = Math.Min(65535, data.Length - pos);
            z.WriteByte((byte)(pos + n == data.Length ? 1 : 0));
            z.Write([(byte)n, (byte)(n >> 8), (byte)~n, (byte)(~n >> 8)]);
            z.Write(data, pos, n);
            pos += n;
        } while (pos < data.Length);
        uint a = 1, b = 0;
        foreach (var v in data) { a = (a + v) % 65521; b = (b + a) % 65521; }
        var adler = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(adler, b << 16 | a);
        z.Write(adler);
        return z.ToArray();
    }

    private static void Chunk(Stream png, string type, byte[] body)
    {
        var head = new byte[8];
        BinaryPrimitives.WriteInt32BigEndian(head, body.Length);
        for (int i = 0; i < 4; i++) head[4 + i] = (byte)type[i];
        png.Write(head);
        png.Write(body);
        var crc = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(crc, Crc32(head.AsSpan(4), body));
        png.Write(crc);
    }

    private static uint Crc32(ReadOnlySpan<byte> type, ReadOnlySpan<byte> body)
    {
        uint c = 0xFFFFFFFF;
        foreach (var part in new[] { type.ToArray(), body.ToArray() })
            foreach (var v in part)
            {
                c ^= v;
                for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320 ^ (c >> 1) : c >> 1;
            }
        return ~c;
    }
}

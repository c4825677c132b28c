namespace ClipSharp.Tests.Data.Images;

/// <summary>
/// A minimal GIF writer for tests that need an exact colour table (libvips' writer builds its own): one frame covering
/// the screen, a 256-entry global table, optional transparent index, LZW data of literal codes only (a clear code
/// every 250 codes keeps the code width at 9 bits), so the bytes depend on nothing but the arguments.
/// </summary>
internal static class TinyGif
{
    /// <summary><paramref name="indices"/>: width * height palette indices; <paramref name="palette"/>: 256 RGB triples.</summary>
    public static byte[] Encode(int width, int height, byte[] indices, byte[] palette, int? transparentIndex = null)
    {
        if (palette.Length != 768) throw new ArgumentException("Expected 256 RGB entries.", nameof(palette));
        using var gif = new MemoryStream();
        gif.Write("GIF89a"u8);
        gif.Write([(byte)width, (byte)(width >> 8), (byte)height, (byte)(height >> 8), 0xF7, 0, 0]);
        gif.Write(palette);
        if (transparentIndex is { } t) gif.Write([0x21, 0xF9, 4, 1, 0, 0, (byte)t, 0]);
        gif.Write([0x2C, 0, 0, 0, 0, (byte)width, (byte)(width >> 8), (byte)height, (byte)(height >> 8), 0, 8]);
        var data = Lzw(indices);
        for (int pos = 0; pos < data.Length; pos += 255)
        {
            int n = Math.Min(255, data.Length - pos);
            gif.WriteByte((byte)n);
            gif.Write(data, pos, n);
        }
        gif.Write([0, 0x3B]);
        return gif.ToArray();
    }

    // Codes of 9 bits, least significant bit first: clear (256), literals, ..., end (257).
    private static byte[] Lzw(byte[] indices)
    {
        var codes = new List<int> { 256 };
        for (int i = 0; i < indices.Length; i++)
        {
            if (i > 0 && i % 250 == 0) codes.Add(256);
            codes.Add(indices[i]);
        }
        codes.Add(257);
        var bytes = new byte[(codes.Count * 9 + 7) / 8];
        for (int k = 0; k < codes.Count; k++)
            for (int b = 0; b < 9; b++)
                if ((codes[k] >> b & 1) != 0) bytes[(k * 9 + b) / 8] |= (byte)(1 << ((k * 9 + b) % 8));
        return bytes;
    }
}

namespace ClipSharp.Data.Images;

/// <summary>
/// What Pillow's GifImagePlugin decides from a GIF's first frame: its colour table (local, else global) and its
/// transparent index. Pillow opens the frame as "L" when that table is missing or is the identity grey ramp
/// (entry i = (i, i, i)), else as "P"; and <c>convert("RGB")</c> shows a transparent pixel in its palette colour,
/// where libvips' gifload gives it alpha 0 and black.
/// </summary>
internal sealed record GifHeader(byte[]? Palette, int? TransparentIndex)
{
    /// <summary>"P", or "L" for a missing or identity-grey colour table.</summary>
    public PilMode Mode
    {
        get
        {
            if (Palette is null) return PilMode.L;
            for (int i = 0; i + 2 < Palette.Length; i += 3)
                if (Palette[i] != i / 3 || Palette[i + 1] != i / 3 || Palette[i + 2] != i / 3) return PilMode.P;
            return PilMode.L;
        }
    }

    /// <summary>The RGB colour Pillow converts the transparent index to (black past the table's end); null: none.</summary>
    public double[]? TransparentColour => TransparentIndex is not { } t ? null
        : Palette is { } p && t * 3 + 3 <= p.Length ? [p[t * 3], p[t * 3 + 1], p[t * 3 + 2]]
        : Palette is null ? [t, t, t] : [0, 0, 0];

    /// <summary>Walks the blocks up to the first image descriptor; null when the data is not a well-formed GIF header.</summary>
    public static GifHeader? TryRead(ReadOnlySpan<byte> data)
    {
        if (data.Length < 13 || !(data[..6].SequenceEqual("GIF87a"u8) || data[..6].SequenceEqual("GIF89a"u8))) return null;
        int pos = 13;
        byte[]? global = null;
        if ((data[10] & 0x80) != 0)
        {
            int n = 3 << ((data[10] & 7) + 1);
            if (pos + n > data.Length) return null;
            global = data.Slice(pos, n).ToArray();
            pos += n;
        }
        int? transparent = null;
        while (pos < data.Length)
        {
            byte block = data[pos];
            if (block == 0x2C) // image descriptor: 9 bytes, then the local table if any
            {
                if (pos + 10 > data.Length) return null;
                byte packed = data[pos + 9];
                if ((packed & 0x80) == 0) return new GifHeader(global, transparent);
                int n = 3 << ((packed & 7) + 1);
                return pos + 10 + n > data.Length ? null : new GifHeader(data.Slice(pos + 10, n).ToArray(), transparent);
            }
            if (block != 0x21 || pos + 2 >= data.Length) return null;
            if (data[pos + 1] == 0xF9 && pos + 7 < data.Length && data[pos + 2] == 4)
                transparent = (data[pos + 3] & 1) != 0 ? data[pos + 6] : null;
            pos += 2; // extension introducer and label, then sub-blocks up to the 0 terminator
            while (pos < data.Length && data[pos] != 0) pos += data[pos] + 1;
            pos++;
        }
        return null;
    }
}

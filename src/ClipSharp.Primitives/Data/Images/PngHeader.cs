using System.Buffers.Binary;

namespace ClipSharp.Data.Images;

/// <summary>
/// A PNG's IHDR facts that decide the Pillow mode: bit depth and colour type (0 grey, 2 RGB, 3 palette, 4 grey +
/// alpha, 6 RGBA). libvips turns a tRNS chunk on a grey or RGB image into an alpha band, and loads 1-bit grey like
/// 8-bit grey; Pillow keeps "L" / "RGB" / "1", so the decoder needs the file's own words.
/// </summary>
internal readonly record struct PngHeader(int BitDepth, int ColourType)
{
    /// <summary>Bytes needed: signature (8), IHDR length and type (8), width, height (8), depth, colour type.</summary>
    public const int Length = 26;

    private static ReadOnlySpan<byte> Signature => [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>Reads the header from the first <see cref="Length"/> bytes; false when they are not a PNG's.</summary>
    public static bool TryRead(ReadOnlySpan<byte> data, out PngHeader header)
    {
        header = default;
        if (data.Length < Length || !data[..8].SequenceEqual(Signature) || !data.Slice(12, 4).SequenceEqual("IHDR"u8)) return false;
        if (BinaryPrimitives.ReadUInt32BigEndian(data[8..]) < 13) return false;
        header = new PngHeader(data[24], data[25]);
        return true;
    }

    /// <summary>Reads the header at the start of the file; false when it is not a PNG or cannot be read.</summary>
    public static bool TryRead(string path, out PngHeader header)
    {
        header = default;
        Span<byte> head = stackalloc byte[Length];
        try
        {
            using var f = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read);
            return RandomAccess.Read(f, head, 0) == Length && TryRead(head, out header);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return false; }
    }

    /// <summary>
    /// The mode Pillow's PngImagePlugin opens this header in (16-bit colour keeps the high byte; 16-bit grey + alpha
    /// opens as "RGBA").
    /// </summary>
    public PilMode? Mode => ColourType switch
    {
        0 => BitDepth switch { 1 => PilMode.One, 16 => PilMode.I16, _ => PilMode.L },
        2 => PilMode.Rgb,
        3 => PilMode.P,
        4 => BitDepth == 16 ? PilMode.Rgba : PilMode.LA,
        6 => PilMode.Rgba,
        _ => null,
    };
}

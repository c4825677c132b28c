using System.Buffers.Binary;

namespace ClipSharp.Tests.Data.Images;

/// <summary>
/// A minimal little-endian TIFF writer for an 8-bit palette image (photometric interpretation 3, uncompressed, one
/// strip), which libvips cannot write.
/// </summary>
internal static class TinyTiff
{
    /// <summary><paramref name="indices"/>: width * height indices; <paramref name="colourMap"/>: 3 * 256 16-bit values (all R, all G, all B).</summary>
    public static byte[] EncodePalette(int width, int height, byte[] indices, ushort[] colourMap)
    {
        if (colourMap.Length != 768) throw new ArgumentException("Expected 3 * 256 values.", nameof(colourMap));
        const int entries = 10, ifd = 8, mapAt = ifd + 2 + entries * 12 + 4, pixelsAt = mapAt + 768 * 2;
        var tiff = new byte[pixelsAt + indices.Length];
        "II"u8.CopyTo(tiff);
        BinaryPrimitives.WriteUInt16LittleEndian(tiff.AsSpan(2), 42);
        BinaryPrimitives.WriteUInt32LittleEndian(tiff.AsSpan(4), ifd);
        BinaryPrimitives.WriteUInt16LittleEndian(tiff.AsSpan(ifd), entries);
        (int Tag, int Type, int Count, int Value)[] tags =
        [
            (256, 3, 1, width), (257, 3, 1, height), (258, 3, 1, 8), (259, 3, 1, 1), (262, 3, 1, 3),
            (273, 4, 1, pixelsAt), (277, 3, 1, 1), (278, 3, 1, height), (279, 4, 1, indices.Length), (320, 3, 768, mapAt),
        ];
        for (int i = 0; i < tags.Length; i++)
        {
            var e = tiff.AsSpan(ifd + 2 + i * 12, 12);
            BinaryPrimitives.WriteUInt16LittleEndian(e, (ushort)tags[i].Tag);
            BinaryPrimitives.WriteUInt16LittleEndian(e[2..], (ushort)tags[i].Type);
            BinaryPrimitives.WriteUInt32LittleEndian(e[4..], (uint)tags[i].Count);
            if (tags[i].Type == 3 && tags[i].Count == 1) BinaryPrimitives.WriteUInt16LittleEndian(e[8..], (ushort)tags[i].Value);
            else BinaryPrimitives.WriteUInt32LittleEndian(e[8..], (uint)tags[i].Value);
        }
        for (int i = 0; i < 768; i++) BinaryPrimitives.WriteUInt16LittleEndian(tiff.AsSpan(mapAt + 2 * i), colourMap[i]);
        indices.CopyTo(tiff, pixelsAt);
        return tiff;
    }
}

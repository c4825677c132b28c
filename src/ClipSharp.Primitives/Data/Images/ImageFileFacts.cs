using System.Buffers.Binary;

namespace ClipSharp.Data.Images;

/// <summary>
/// Facts from an image file's own header that decide its Pillow mode where libvips' metadata does not tell: the PNG
/// IHDR (<see cref="PngHeader"/>), the GIF first frame's colour table and transparent index (<see cref="GifHeader"/>),
/// whether a TIFF is a palette image (photometric interpretation 3; libvips' tiffload expands it without a mark).
/// Each is read on first use (only for the format libvips reports) and kept.
/// </summary>
internal sealed class ImageFileFacts
{
    private const int GifHeadBytes = 64 * 1024; // colour tables and the extensions before the first frame fit easily
    private readonly Func<long, int, byte[]> _readAt; // up to count bytes at offset (fewer at the end; empty on error)
    private GifHeader? _gif;
    private bool _gifRead;

    private ImageFileFacts(Func<long, int, byte[]> readAt) => _readAt = readAt;

    /// <summary>Facts read from the file at <paramref name="path"/> (a read error reads as "no such header").</summary>
    public static ImageFileFacts FromFile(string path) => new((offset, count) =>
    {
        try
        {
            using var f = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read);
            var buffer = new byte[(int)Math.Clamp(RandomAccess.GetLength(f) - offset, 0, count)];
            int got = 0;
            while (got < buffer.Length && RandomAccess.Read(f, buffer.AsSpan(got), offset + got) is var n and > 0) got += n;
            return buffer[..got];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return []; }
    });

    /// <summary>Facts read from an encoded image in memory.</summary>
    public static ImageFileFacts FromBytes(byte[] data) =>
        new((offset, count) => offset >= data.Length ? [] : data.AsSpan((int)offset, (int)Math.Min(count, data.Length - offset)).ToArray());

    /// <summary>The PNG header, or null when the file is not a PNG.</summary>
    public PngHeader? Png() => PngHeader.TryRead(_readAt(0, PngHeader.Length), out var h) ? h : null;

    /// <summary>The GIF header, or null when it is not a GIF (or its first frame lies past the first 64 KiB).</summary>
    public GifHeader? Gif()
    {
        if (!_gifRead) { _gif = GifHeader.TryRead(_readAt(0, GifHeadBytes)); _gifRead = true; }
        return _gif;
    }

    /// <summary>True for a classic TIFF whose first image has photometric interpretation 3 (palette).</summary>
    public bool TiffIsPalette()
    {
        var head = _readAt(0, 8);
        if (head.Length < 8) return false;
        bool little = head[0] == 'I' && head[1] == 'I';
        if (!little && !(head[0] == 'M' && head[1] == 'M')) return false;
        if (U16(head, 2, little) != 42) return false; // 43: BigTIFF, not read here
        long ifd = U32(head, 4, little);
        var count = _readAt(ifd, 2);
        if (count.Length < 2) return false;
        int n = U16(count, 0, little);
        var entries = _readAt(ifd + 2, 12 * n);
        for (int i = 0; i + 12 <= entries.Length; i += 12)
            if (U16(entries, i, little) == 262) return U16(entries, i + 8, little) == 3; // SHORT value, left-justified
        return false;
    }

    private static int U16(byte[] b, int at, bool little) =>
        little ? BinaryPrimitives.ReadUInt16LittleEndian(b.AsSpan(at)) : BinaryPrimitives.ReadUInt16BigEndian(b.AsSpan(at));

    private static long U32(byte[] b, int at, bool little) =>
        little ? BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(at)) : BinaryPrimitives.ReadUInt32BigEndian(b.AsSpan(at));
}

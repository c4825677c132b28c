using System.Buffers.Binary;

namespace ClipSharp.Data.Images;

/// <summary>
/// Whether a JPEG's EXIF data (APP1 "Exif\0\0" segments before the first scan, the ones libvips reads) can ask libvips
/// to rotate it: the turbojpeg route decodes only files where it certainly cannot.
/// </summary>
internal static class JpegExif
{
    /// <summary>
    /// True when the header segments hold no EXIF orientation other than 1 (top-left). False when one says otherwise,
    /// when there is more than one EXIF segment, when the EXIF data cannot be read here, or when an orientation tag
    /// may sit outside IFD0 (libexif, hence libvips, also looks in the other IFDs).
    /// </summary>
    public static bool IsUpright(ReadOnlySpan<byte> data, int firstScan)
    {
        int pos = 2, exifSegments = 0;
        while (pos + 4 <= firstScan)
        {
            if (data[pos] != 0xFF) return false;
            byte marker = data[pos + 1];
            if (marker == 0xFF) { pos++; continue; }
            if (marker is 0x01 or (>= 0xD0 and <= 0xD7)) { pos += 2; continue; }
            int length = BinaryPrimitives.ReadUInt16BigEndian(data[(pos + 2)..]);
            if (length < 2 || pos + 2 + length > data.Length) return false;
            var body = data.Slice(pos + 4, length - 2);
            if (marker == 0xE1 && body.Length >= 4 && body[..4].SequenceEqual("Exif"u8))
            {
                if (++exifSegments > 1 || !TiffIsUpright(body.Length >= 6 ? body[6..] : default)) return false;
            }
            pos += 2 + length;
        }
        return true;
    }

    // body = the TIFF structure: byte order, 42, offset of IFD0, then IFD0's entries (tag, type, count, value).
    private static bool TiffIsUpright(ReadOnlySpan<byte> tiff)
    {
        if (tiff.Length < 8) return false;
        bool little;
        if (tiff[0] == 'I' && tiff[1] == 'I') little = true;
        else if (tiff[0] == 'M' && tiff[1] == 'M') little = false;
        else return false;
        if (U16(tiff, little, 2) != 42) return false;
        uint ifd = U32(tiff, little, 4);
        if (ifd < 8 || ifd > tiff.Length - 2) return false;
        int count = U16(tiff, little, (int)ifd);
        if ((long)ifd + 2 + 12L * count > tiff.Length) return false;
        for (int i = 0; i < count; i++)
        {
            int e = (int)ifd + 2 + 12 * i;
            if (U16(tiff, little, e) != 0x0112) continue;
            return U16(tiff, little, e + 2) == 3 && U32(tiff, little, e + 4) == 1 && U16(tiff, little, e + 8) == 1; // SHORT, one value, 1 = top-left
        }
        // No orientation in IFD0: refuse if the tag's bytes appear anywhere else (another IFD may hold it).
        ReadOnlySpan<byte> tag = little ? [0x12, 0x01] : [0x01, 0x12];
        return tiff.IndexOf(tag) < 0;
    }

    private static ushort U16(ReadOnlySpan<byte> t, bool little, int at) =>
        little ? BinaryPrimitives.ReadUInt16LittleEndian(t[at..]) : BinaryPrimitives.ReadUInt16BigEndian(t[at..]);

    private static uint U32(ReadOnlySpan<byte> t, bool little, int at) =>
        little ? BinaryPrimitives.ReadUInt32LittleEndian(t[at..]) : BinaryPrimitives.ReadUInt32BigEndian(t[at..]);
}

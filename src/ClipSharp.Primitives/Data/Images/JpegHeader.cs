using System.Buffers.Binary;

namespace ClipSharp.Data.Images;

/// <summary>
/// The facts of a JPEG's marker segments (up to the first scan) that decide whether the fast decoder may take it:
/// frame type, sample precision, size, component count, and whether an Adobe APP14 segment (colour-transform flag,
/// CMYK/YCCK) is present.
/// </summary>
internal readonly record struct JpegHeader(byte FrameMarker, int Precision, int Width, int Height, int Components, bool Adobe,
    int FirstScan = 0)
{
    /// <summary>
    /// Sizes at libjpeg's 1/<paramref name="shrink"/> DCT scale: libjpeg decodes ceil(size / shrink) pixels (Decoded*),
    /// libvips' jpegload keeps the top-left floor(size / shrink) of them (Kept*). Every fast route must match both.
    /// </summary>
    public (int DecodedW, int DecodedH, int KeptW, int KeptH) Scaled(int shrink) =>
        ((Width + shrink - 1) / shrink, (Height + shrink - 1) / shrink, Width / shrink, Height / shrink);

    /// <summary>True for data that starts with the JPEG SOI marker and the first byte of another marker.</summary>
    public static bool HasJpegSignature(ReadOnlySpan<byte> data) => data.Length >= 3 && data[0] == 0xFF && data[1] == 0xD8 && data[2] == 0xFF;

    /// <summary>
    /// Walks the marker segments from SOI to SOS. False when the data is not a well-formed JPEG header (the caller then
    /// leaves the file to libvips, which produces the error message).
    /// </summary>
    public static bool TryRead(ReadOnlySpan<byte> data, out JpegHeader header)
    {
        header = default;
        if (!HasJpegSignature(data)) return false;
        int pos = 2;
        bool adobe = false;
        JpegHeader? frame = null;
        while (pos + 4 <= data.Length)
        {
            if (data[pos] != 0xFF) return false;
            byte marker = data[pos + 1];
            if (marker == 0xFF) { pos++; continue; }                       // fill byte
            if (marker is 0x01 or (>= 0xD0 and <= 0xD7)) { pos += 2; continue; } // no length field
            if (marker is 0xD8 or 0xD9) return false;                         // a second SOI, or EOI before any scan
            int length = BinaryPrimitives.ReadUInt16BigEndian(data[(pos + 2)..]);
            if (length < 2 || pos + 2 + length > data.Length) return false;
            var body = data.Slice(pos + 4, length - 2);
            if (marker == 0xDA)
            {
                if (frame is not { } f) return false;
                header = f with { Adobe = adobe, FirstScan = pos };
                return true;
            }
            if (marker == 0xEE && body.Length >= 5 && body[..5].SequenceEqual("Adobe"u8)) adobe = true;
            if (marker is >= 0xC0 and <= 0xCF and not 0xC4 and not 0xC8 and not 0xCC)
            {
                if (frame is not null || body.Length < 6) return false;      // one frame per image (no hierarchical)
                frame = new JpegHeader(marker, body[0], BinaryPrimitives.ReadUInt16BigEndian(body[3..]),
                    BinaryPrimitives.ReadUInt16BigEndian(body[1..]), body[5], false);
            }
            pos += 2 + length;
        }
        return false;
    }

    /// <summary>
    /// True when everything from the first scan on is well formed: entropy-coded data (stuffed 0xFF00 bytes and
    /// restart markers RST0-7 in order) followed only by tables, scans, APPn/COM segments, and EOI as the very last two
    /// bytes. A truncated file fails this (no EOI), as does any stray marker a corruption makes. Skia returns Success
    /// on a progressive file cut after a complete scan, where libvips reports truncation, so the fast path needs this.
    /// </summary>
    public bool EndsCleanly(ReadOnlySpan<byte> data)
    {
        int pos = FirstScan;
        while (true)
        {
            // pos is at a marker segment that is a scan header (FF DA) or a table/APP segment between scans.
            if (pos + 2 > data.Length || data[pos] != 0xFF) return false;
            byte marker = data[pos + 1];
            if (marker == 0xD9) return pos + 2 == data.Length;
            if (pos + 4 > data.Length) return false;
            int length = BinaryPrimitives.ReadUInt16BigEndian(data[(pos + 2)..]);
            if (length < 2 || pos + 2 + length > data.Length) return false;
            bool allowed = marker is 0xDA or 0xC4 or 0xDB or 0xDD or 0xFE or (>= 0xE0 and <= 0xEF);
            if (!allowed) return false;
            pos += 2 + length;
            if (marker != 0xDA) continue;
            // Entropy-coded segment: runs to the next marker other than a stuffed zero or the expected restart marker.
            int nextRestart = 0;
            while (true)
            {
                int ff = data[pos..].IndexOf((byte)0xFF);
                if (ff < 0 || pos + ff + 1 >= data.Length) return false;
                pos += ff;
                byte b = data[pos + 1];
                if (b == 0x00) { pos += 2; continue; }
                if (b is >= 0xD0 and <= 0xD7)
                {
                    if (b != 0xD0 + nextRestart) return false;
                    nextRestart = (nextRestart + 1) & 7;
                    pos += 2;
                    continue;
                }
                break; // a real marker: the scan is over
            }
        }
    }
}

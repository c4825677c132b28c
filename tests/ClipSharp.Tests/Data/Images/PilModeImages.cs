using System.Buffers.Binary;
using ClipSharp.Data.Images;
using NetVips;

namespace ClipSharp.Tests.Data.Images;

/// <summary>
/// One small image file per Pillow mode OpenCLIP accepts, generated from integer formulas (PNG by
/// <see cref="TinyPng"/>, CMYK JPEG by libvips), 32 x 16 pixels with high-frequency content so a nearest-neighbour
/// index off by one, a premultiplication or a wrong conversion shows. tests/fixture-gen/pil_modes.py holds Pillow's
/// outputs for exactly these bytes (checked by SHA-256).
/// </summary>
internal static class PilModeImages
{
    public const int Width = 32, Height = 16;

    /// <summary>Case name -> (file bytes, file suffix, the mode Pillow opens it in).</summary>
    public static readonly IReadOnlyDictionary<string, (byte[] Bytes, string Suffix, PilMode Mode)> All = Build();

    private static Dictionary<string, (byte[], string, PilMode)> Build()
    {
        var d = new Dictionary<string, (byte[], string, PilMode)>
        {
            ["one"] = (TinyPng.Encode(Width, Height, 1, 0, Pixels(1, (x, y, _) => (x / 2 + y) % 3 == 0 || x * y % 7 == 3 ? 1 : 0)), ".png", PilMode.One),
            ["l"] = (TinyPng.Encode(Width, Height, 8, 0, Pixels(1, Grey)), ".png", PilMode.L),
            ["l_trns"] = (TinyPng.Encode(Width, Height, 8, 0, Pixels(1, Grey), trns: [0, (byte)Grey(3, 3, 0)]), ".png", PilMode.L),
            ["la"] = (TinyPng.Encode(Width, Height, 8, 4, Pixels(2, (x, y, c) => c == 0 ? Grey(x, y, 0) : Alpha(x, y))), ".png", PilMode.LA),
            ["p"] = (TinyPng.Encode(Width, Height, 8, 3, Pixels(1, Index), Palette(40)), ".png", PilMode.P),
            ["p_trns"] = (TinyPng.Encode(Width, Height, 8, 3, Pixels(1, Index), Palette(40), PaletteAlpha(12)), ".png", PilMode.P),
            ["p4"] = (TinyPng.Encode(Width, Height, 4, 3, Pixels(1, (x, y, c) => Index(x, y, c) % 16), Palette(16)), ".png", PilMode.P),
            ["rgb"] = (TinyPng.Encode(Width, Height, 8, 2, Pixels(3, Colour)), ".png", PilMode.Rgb),
            ["rgb_trns"] = (TinyPng.Encode(Width, Height, 8, 2, Pixels(3, Colour), trns: RgbKey(5, 4)), ".png", PilMode.Rgb),
            ["rgba"] = (TinyPng.Encode(Width, Height, 8, 6, Pixels(4, (x, y, c) => c < 3 ? Colour(x, y, c) : Alpha(x, y))), ".png", PilMode.Rgba),
            ["i16"] = (TinyPng.Encode(Width, Height, 16, 0, Pixels(1, Grey16)), ".png", PilMode.I16),
            ["i16_trns"] = (TinyPng.Encode(Width, Height, 16, 0, Pixels(1, Grey16), trns: [0, 131]), ".png", PilMode.I16),
            ["l2"] = (TinyPng.Encode(Width, Height, 2, 0, Pixels(1, (x, y, c) => Grey(x, y, c) & 3)), ".png", PilMode.L),
            ["la16"] = (TinyPng.Encode(Width, Height, 16, 4, Pixels(2, (x, y, c) => Wide(c == 0 ? Grey(x, y, 0) : Alpha(x, y), x + c))), ".png", PilMode.Rgba),
            ["rgb16"] = (TinyPng.Encode(Width, Height, 16, 2, Pixels(3, (x, y, c) => Wide(Colour(x, y, c), y + c))), ".png", PilMode.Rgb),
            ["rgba16"] = (TinyPng.Encode(Width, Height, 16, 6, Pixels(4, (x, y, c) => Wide(c < 3 ? Colour(x, y, c) : Alpha(x, y), x * y + c))), ".png", PilMode.Rgba),
        };
        d["gif"] = (Gif(transparent: false), ".gif", PilMode.P);
        d["gif_trns"] = (Gif(transparent: true), ".gif", PilMode.P);
        var ramp = Enumerable.Range(0, 768).Select(i => (byte)(i / 3)).ToArray(); // identity grey: Pillow opens "L"
        var grey = Pixels(1, Grey).Select(v => (byte)v).ToArray();
        d["gif_grey"] = (TinyGif.Encode(Width, Height, grey, ramp), ".gif", PilMode.L);
        d["gif_grey_trns"] = (TinyGif.Encode(Width, Height, grey, ramp, transparentIndex: grey[5]), ".gif", PilMode.L);
        d["tiff_p"] = (TinyTiff.EncodePalette(Width, Height, Pixels(1, Index).Select(v => (byte)v).ToArray(), ColourMap()), ".tif", PilMode.P);
        var cmyk = CmykJpeg();
        d["cmyk"] = (cmyk, ".jpg", PilMode.Cmyk);
        d["cmyk_no_adobe"] = (WithoutAdobeSegment(cmyk), ".jpg", PilMode.Cmyk);
        return d;
    }

    private static int Grey(int x, int y, int c) => (x * 29 + y * 53 + x * y % 7 * 11) & 255;

    // "I;16" values on both sides of 255 (convert("RGB") clips there) and some far above.
    private static int Grey16(int x, int y, int c) => (x + y) % 9 == 0 ? 40000 + x * y : (x * 97 + y * 131) % 700;

    // An 8-bit level as a 16-bit sample with a varying low byte (Pillow keeps the high byte of 16-bit colour).
    private static int Wide(int level, int k) => level << 8 | (k * 73 & 255);

    private static int Colour(int x, int y, int c) => c switch
    {
        0 => (x * 37 + y * 11) & 255,
        1 => (x * x + 3 * y * y + 17) & 255,
        _ => ((x ^ y) * 29 + 5) & 255,
    };

    // Every alpha kind: 0 (colour hidden), 255, and levels between.
    private static int Alpha(int x, int y) => (x + 2 * y) % 7 == 0 ? 0 : x * y % 5 == 1 ? 255 : (x * 53 + y * 97) % 256;

    private static int Index(int x, int y, int c) => (x * 7 + y * 3 + x * y % 5) % 40;

    private static byte[] Palette(int n) => Enumerable.Range(0, n)
        .SelectMany(i => new[] { (byte)((i * 61 + 7) & 255), (byte)((i * 113 + 50) & 255), (byte)((i * 197 + 99) & 255) }).ToArray();

    // TIFF colour map: Palette(40) then black, as 16-bit values with a low byte that is not the high byte repeated.
    private static ushort[] ColourMap()
    {
        var p = Palette(40);
        var map = new ushort[768];
        for (int i = 0; i < 40; i++)
            for (int c = 0; c < 3; c++) map[c * 256 + i] = (ushort)(p[i * 3 + c] << 8 | (i * 89 + c * 31) & 255);
        return map;
    }

    private static byte[] PaletteAlpha(int n) => Enumerable.Range(0, n).Select(i => (byte)(i * 40 & 255)).ToArray();

    // tRNS for colour type 2: one 16-bit RGB key (a colour that occurs).
    private static byte[] RgbKey(int x, int y)
    {
        var key = new byte[6];
        for (int c = 0; c < 3; c++) BinaryPrimitives.WriteUInt16BigEndian(key.AsSpan(2 * c), (ushort)Colour(x, y, c));
        return key;
    }

    private static int[] Pixels(int channels, Func<int, int, int, int> f)
    {
        var s = new int[Width * Height * channels];
        for (int y = 0; y < Height; y++)
            for (int x = 0; x < Width; x++)
                for (int c = 0; c < channels; c++) s[(y * Width + x) * channels + c] = f(x, y, c);
        return s;
    }

    // libvips' GIF writer (palette of at most 40 colours, so no dithering choice matters); with alpha, a transparent index.
    private static byte[] Gif(bool transparent)
    {
        var px = Pixels(transparent ? 4 : 3, (x, y, c) => c == 3 ? (Alpha(x, y) == 0 ? 0 : 255) : Palette(40)[Index(x, y, 0) * 3 + c]);
        using var img = Image.NewFromMemoryCopy(px.Select(v => (byte)v).ToArray(), Width, Height, transparent ? 4 : 3, Enums.BandFormat.Uchar);
        using var srgb = img.Copy(interpretation: Enums.Interpretation.Srgb);
        return srgb.GifsaveBuffer(dither: 0, keep: Enums.ForeignKeep.None);
    }

    private static byte[] CmykJpeg()
    {
        var ink = Pixels(4, (x, y, c) => c switch
        {
            0 => (x * 41 + y * 7) & 255,
            1 => (x * 5 + y * 43) & 255,
            2 => (x * x + y * 9) & 255,
            _ => (x * 3 + y * 19) & 255,
        }).Select(v => (byte)v).ToArray();
        using var img = Image.NewFromMemoryCopy(ink, Width, Height, 4, Enums.BandFormat.Uchar);
        using var cmyk = img.Copy(interpretation: Enums.Interpretation.Cmyk);
        return cmyk.JpegsaveBuffer(q: 95, keep: Enums.ForeignKeep.None);
    }

    // The same JPEG with its APP14 "Adobe" segment removed (libjpeg then assumes plain, non-inverted CMYK).
    private static byte[] WithoutAdobeSegment(byte[] jpeg)
    {
        int pos = 2;
        while (pos + 4 <= jpeg.Length && jpeg[pos] == 0xFF && jpeg[pos + 1] != 0xDA)
        {
            int length = BinaryPrimitives.ReadUInt16BigEndian(jpeg.AsSpan(pos + 2));
            if (jpeg[pos + 1] == 0xEE) return [.. jpeg.AsSpan(0, pos), .. jpeg.AsSpan(pos + 2 + length)];
            pos += 2 + length;
        }
        throw new InvalidOperationException("libvips wrote no Adobe segment into the CMYK JPEG.");
    }
}

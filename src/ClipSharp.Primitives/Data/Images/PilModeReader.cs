using ClipSharp.Core;
using NetVips;

namespace ClipSharp.Data.Images;

/// <summary>
/// Which <see cref="PilMode"/> a freshly loaded libvips image is in (as Pillow would open the same file), and its
/// pixels brought to that mode's layout (see <see cref="DecodedImage"/>).
/// </summary>
/// <remarks>
/// PNG: from the IHDR colour type and bit depth (<see cref="PngHeader"/>), because libvips adds an alpha band for a
/// tRNS chunk on grey / RGB / palette images, which Pillow keeps as "L" / "RGB" / "P" (and <c>convert("RGB")</c>
/// ignores), and loads 1-bit grey as 8-bit. Other formats: CMYK interpretation -> "CMYK" (kept as ink, not colour
/// managed; Pillow reads every CMYK JPEG as inverted "CMYK;I" and libvips' jpegload inverts them all too, with or
/// without an Adobe segment: tested); GIF: "P", or "L" for an identity-grey colour table (<see cref="GifHeader"/>);
/// a palette TIFF (<see cref="ImageFileFacts"/>) or another image libvips marks as a palette -> "P", 1 bit per
/// sample -> "1", 16-bit grey -> "I;16", otherwise by band count.
/// </remarks>
internal static class PilModeReader
{
    /// <summary>The mode of <paramref name="img"/>, loaded from the file <paramref name="file"/> describes.</summary>
    public static PilMode Detect(Image img, ImageFileFacts file)
    {
        string loader = Loader(img);
        if (loader.StartsWith("pngload", StringComparison.Ordinal) && file.Png()?.Mode is { } m) return m;
        if (loader.StartsWith("gifload", StringComparison.Ordinal)) return file.Gif()?.Mode ?? PilMode.P;
        if (loader.StartsWith("tiffload", StringComparison.Ordinal) && img.Bands >= 3 && file.TiffIsPalette()) return PilMode.P;
        if (img.Interpretation == Enums.Interpretation.Cmyk && img.Bands >= 4) return PilMode.Cmyk;
        if (IsPalette(img)) return PilMode.P;
        if (img.Bands == 1 && img.Contains("bits-per-sample") && (int)img.Get("bits-per-sample") == 1) return PilMode.One;
        if (img.Bands == 1 && img.Format == Enums.BandFormat.Ushort) return PilMode.I16;
        return img.Bands switch { 1 => PilMode.L, 2 => PilMode.LA, 3 => PilMode.Rgb, _ => PilMode.Rgba };
    }

    /// <summary>For a GIF with a transparent index (alpha in libvips' output), the colour Pillow shows there; else null.</summary>
    public static double[]? GifTransparentColour(Image img, ImageFileFacts file) =>
        img.Bands is 2 or 4 && Loader(img).StartsWith("gifload", StringComparison.Ordinal) ? file.Gif()?.TransparentColour : null;

    /// <summary>
    /// <paramref name="img"/> (already oriented) in <paramref name="mode"/>'s layout. <paramref name="transparentColour"/>:
    /// for a GIF with a transparent index, the colour Pillow shows there (libvips gives those pixels alpha 0, black).
    /// Returns the same instance when nothing needed doing.
    /// </summary>
    public static Image Normalise(Image img, PilMode mode, double[]? transparentColour, string source)
    {
        var x = img;
        if (transparentColour is not null && x.Bands is 2 or 4)
        {
            var colour = x.Bands == 2 ? transparentColour[..1] : transparentColour;
            x = x[x.Bands - 1].Equal(0.0).Ifthenelse(colour, x.ExtractBand(0, n: x.Bands - 1)).Cast(Enums.BandFormat.Uchar);
        }
        switch (mode)
        {
            case PilMode.I16:
                if (x.Bands > 1) x = x.ExtractBand(0);
                if (x.Format != Enums.BandFormat.Ushort) x = x.Cast(Enums.BandFormat.Ushort);
                return x;
            case PilMode.Cmyk:
                if (x.Bands > 4) x = x.ExtractBand(0, n: 4);
                return ToUchar(x);
            case PilMode.P:
                x = ToUchar(x);
                if (x.Bands is 2 or 4) x = x.ExtractBand(0, n: x.Bands - 1); // the palette's transparency: dropped by convert("RGB")
                return x.Bands == 1 ? x.Bandjoin(x, x) : x;
            case PilMode.One or PilMode.L or PilMode.Rgb:
                x = ToUchar(x);
                int want = mode == PilMode.Rgb ? 3 : 1;
                if (x.Bands > want) x = x.ExtractBand(0, n: want);          // a tRNS-made alpha band
                return x.Bands < want ? x.Bandjoin(x, x) : x;
            default: // LA, RGBA
                x = ToUchar(x);
                if (x.Bands > 4) x = x.ExtractBand(0, n: 4);
                if (mode == PilMode.Rgba && x.Bands == 2) x = x[0].Bandjoin(x[0], x[0], x[1]); // 16-bit grey + alpha PNG
                if (x.Bands != DecodedImage.BandsOf(mode))
                    throw new ClipSharpException($"{source}: unsupported image with {x.Bands} bands for mode {mode}.");
                return x;
        }
    }

    // 16-bit: the high byte (what Pillow keeps for 16-bit colour PNGs); other formats via libvips' colourspace.
    private static Image ToUchar(Image x)
    {
        if (x.Format == Enums.BandFormat.Uchar) return x;
        if (x.Format == Enums.BandFormat.Ushort) return (x >> 8).Cast(Enums.BandFormat.Uchar);
        if (x.Interpretation == Enums.Interpretation.Cmyk) return x.Cast(Enums.BandFormat.Uchar);
        bool grey = x.Bands <= 2 || x.Interpretation is Enums.Interpretation.Bw or Enums.Interpretation.Grey16;
        return x.Colourspace(grey ? Enums.Interpretation.Bw : Enums.Interpretation.Srgb).Cast(Enums.BandFormat.Uchar);
    }

    private static string Loader(Image img) => img.Contains("vips-loader") ? (string)img.Get("vips-loader") : "";

    private static bool IsPalette(Image img)
    {
        if (img.Contains("palette") && img.GetTypeOf("palette") == GValue.GIntType && (int)img.Get("palette") != 0) return true;
        return img.Contains("palette-bit-depth");
    }
}

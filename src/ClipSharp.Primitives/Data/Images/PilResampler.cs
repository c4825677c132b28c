using NetVips;

namespace ClipSharp.Data.Images;

/// <summary>
/// Pillow's <c>Image.resize</c> (the resampler behind OpenCLIP's eval transform) rebuilt from libvips operations.
/// </summary>
/// <remarks>
/// Pillow (libImaging/Resample.c) resizes separably, horizontal pass first, rounding to uint8 between the passes.
/// Output pixel x samples centre c = (x + 0.5) * s with s = in / out; tap j gets weight f((j + 0.5 - c) / max(s, 1))
/// (Keys cubic a = -0.5, or the triangle), taps outside the image are dropped and the remaining weights
/// renormalised. libvips' <c>reduceh/reducev</c> use the same centre convention and kernels, but (a) for uchar input
/// they quantise the sub-pixel position to 1/64 and the weights to 12 bits (float: position only), (b) they extend edges by copying
/// pixels instead of renormalising, and (c) they cannot enlarge. So each pass here runs on a double image
/// (libvips then computes exact weights per pixel; see WorkFormat), pads with zeros, and divides by the same pass applied to a
/// row of ones: that quotient is exactly Pillow's renormalised sum. Enlargement uses <c>affine</c> with the
/// bicubic/bilinear interpolator (exact for double input) at centre-aligned offsets, with the same zero-pad
/// division. Remaining difference to Pillow: Pillow's 22-bit fixed-point weights, which flip a rounding when a
/// value lies within ~1e-4 of a .5 boundary (at most 1 level per pass; exact .5 ties are common on synthetic
/// gradients).
/// </remarks>
internal static class PilResampler
{
    // Double, not float: libvips' float path quantises the sub-pixel position to 1/64 px, which on the parity
    // fixtures gives 2-level differences (bicubic) and ~100x more 1-level ones; double computes exact per-pixel
    // weights (in long double), which is the price: ~29 ms vs ~9 ms per 500x375 image on the 2-core dev machine.
    internal const Enums.BandFormat WorkFormat = Enums.BandFormat.Double;

    // Interpolators are immutable libvips objects, shared by all threads; lazy operations keep their own reference.
    private static readonly Lazy<Interpolate> Bicubic = new(() => Interpolate.NewFromName("bicubic"));
    private static readonly Lazy<Interpolate> Bilinear = new(() => Interpolate.NewFromName("bilinear"));
    private static readonly Lazy<Interpolate> Nearest = new(() => Interpolate.NewFromName("nearest"));

    /// <summary>
    /// Resizes a uchar image of any band count to (width, height) as Pillow does for an "L"/"RGB"/"RGBa" image.
    /// Always returns a new image object (a cheap copy when the size is unchanged), so callers may dispose it.
    /// </summary>
    public static Image Resize(Image image, int width, int height, Interpolation filter)
    {
        if (width <= 0 || height <= 0) throw new ArgumentOutOfRangeException(nameof(width), "Output size must be positive.");
        if (width == image.Width && height == image.Height) return image.Copy();
        if (filter == Interpolation.Nearest) return ResizeNearest(image, width, height);
        var h = ResizeAxis(image, width, horizontal: true, filter);
        return ResizeAxis(h, height, horizontal: false, filter);
    }

    // One separable pass; returns uchar. Pillow skips a pass whose size is unchanged.
    private static Image ResizeAxis(Image image, int outSize, bool horizontal, Interpolation filter)
    {
        int inSize = horizontal ? image.Width : image.Height;
        if (outSize == inSize) return image;
        double scale = (double)inSize / outSize;
        var src = image.Cast(WorkFormat);
        var ones = horizontal ? Image.Black(inSize, 1) + 1.0 : Image.Black(1, inSize) + 1.0;
        ones = ones.Cast(WorkFormat);
        Image num, den;
        if (scale > 1.0)
        {
            num = Reduce(src, inSize, outSize, scale, horizontal, filter);
            den = Reduce(ones, inSize, outSize, scale, horizontal, filter);
        }
        else
        {
            num = Enlarge(src, outSize, scale, horizontal, filter);
            den = Enlarge(ones, outSize, scale, horizontal, filter);
        }
        // den: the per-position sum of in-image weights, a (out x 1) or (1 x out) strip; stretch it over the image.
        den = horizontal ? den.Replicate(1, num.Height) : den.Replicate(num.Width, 1);
        var result = num / den;
        // Pillow: clip8((sum + 2^21) >> 22) = round half up, clamped to [0, 255] (cast clamps).
        return (result + 0.5).Floor().Cast(Enums.BandFormat.Uchar);
    }

    // reduceh/reducev on a zero-padded copy. Padding P on both sides and output size round((in + 2P) / s) = out + 2k
    // puts padded output pixel x + k at the centre of unpadded output pixel x exactly (libvips' offset is
    // (1 + extra) / 2 - 1 with extra = outP * s - inP; see reduceh.cpp), so we crop [k, k + out).
    private static Image Reduce(Image src, int inSize, int outSize, double scale, bool horizontal, Interpolation filter)
    {
        double support = (filter == Interpolation.Bicubic ? 2.0 : 1.0) * scale;
        int pad = (int)Math.Ceiling(support) + 2;
        while ((int)Math.Round((inSize + 2.0 * pad) / scale, MidpointRounding.AwayFromZero) - outSize is var d && d % 2 != 0) pad++;
        int paddedOut = (int)Math.Round((inSize + 2.0 * pad) / scale, MidpointRounding.AwayFromZero);
        int k = (paddedOut - outSize) / 2;
        var kernel = filter == Interpolation.Bicubic ? Enums.Kernel.Cubic : Enums.Kernel.Linear;
        if (horizontal)
        {
            var padded = src.Embed(pad, 0, inSize + 2 * pad, src.Height, Enums.Extend.Black);
            var r = padded.Reduceh(scale, kernel, gap: 0.0);
            return r.ExtractArea(k, 0, outSize, r.Height);
        }
        else
        {
            var padded = src.Embed(0, pad, src.Width, inSize + 2 * pad, Enums.Extend.Black);
            var r = padded.Reducev(scale, kernel, gap: 0.0);
            return r.ExtractArea(0, k, r.Width, outSize);
        }
    }

    // Enlargement (s < 1): Pillow's support stays 2 (cubic) / 1 (linear) input pixels, i.e. plain interpolation.
    // libvips affine maps output x to input x * s - idx (pixel centres at integers); idx = (1 - s) / 2 gives
    // Pillow's (x + 0.5) * s - 0.5.
    private static Image Enlarge(Image src, int outSize, double scale, bool horizontal, Interpolation filter)
    {
        var interp = filter == Interpolation.Bicubic ? Bicubic.Value : Bilinear.Value;
        double offset = 0.5 * (1.0 - scale);
        double[] matrix = horizontal ? [1.0 / scale, 0, 0, 1] : [1, 0, 0, 1.0 / scale];
        int[] area = horizontal ? [0, 0, outSize, src.Height] : [0, 0, src.Width, outSize];
        return src.Affine(matrix, interp, oarea: area,
            idx: horizontal ? offset : 0.0, idy: horizontal ? 0.0 : offset,
            background: [0.0], extend: Enums.Extend.Black);
    }

    // Pillow NEAREST (also forced for "P" and "1"): the running source position of PilResize.NearestIndices.
    private static Image ResizeNearest(Image image, int width, int height)
    {
        var xs = PilResize.NearestIndices(image.Width, width, 0, width);
        var ys = PilResize.NearestIndices(image.Height, height, 0, height);
        var map = new float[width * height * 2];
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++) { map[(y * width + x) * 2] = xs[x]; map[(y * width + x) * 2 + 1] = ys[y]; }
        var index = Image.NewFromMemoryCopy(map, width, height, 2, Enums.BandFormat.Float);
        return image.Mapim(index, interpolate: Nearest.Value, extend: Enums.Extend.Copy);
    }
}

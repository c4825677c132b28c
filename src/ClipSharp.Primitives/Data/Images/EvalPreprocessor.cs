using System.Buffers;
using NetVips;

namespace ClipSharp.Data.Images;

/// <summary>
/// OpenCLIP's eval transform (<c>image_transform_v2(..., is_train=False)</c>) on libvips: resize by
/// <see cref="ResizeMode"/> in the image's own mode (Pillow order: resize, crop, then convert to RGB), then
/// ToTensor + Normalize into float32 CHW. Torch-free: shared by the TorchSharp facade (<c>EvalTransform</c>) and the
/// ONNX Runtime one.
/// </summary>
/// <remarks>
/// Geometry, as torchvision/OpenCLIP compute it:
/// shortest + square size S: torchvision <c>Resize(S)</c>, short side = S, long side = int(S * long / short)
/// (truncation), then <c>CenterCrop</c> with offsets int(round((h - S) / 2.0)) (round half to even);
/// shortest + non-square or longest: OpenCLIP <c>ResizeKeepRatio</c>, ratio = min (shortest) or max (longest) of
/// h / th, w / tw, new size = round(side / ratio) (half to even); longest then pads with fill_color
/// (left/top = (t - s) // 2) and crops; squash: resize to (h, w). Parity with OpenCLIP fixtures: see
/// tests/ClipSharp.Tests/Parity/PreprocessParityTests.cs.
/// </remarks>
public sealed class EvalPreprocessor
{
    /// <summary>The preprocessing settings.</summary>
    public PreprocessConfig Config { get; }

    /// <summary>The decoder used by the path/bytes overloads.</summary>
    public ImageDecoder Decoder { get; }

    /// <summary>Creates the transform for <paramref name="config"/> (validated).</summary>
    public EvalPreprocessor(PreprocessConfig config, ImageDecoder? decoder = null)
    {
        Config = config.Validated();
        Decoder = decoder ?? new ImageDecoder();
    }

    /// <summary>Decodes <paramref name="path"/> (with shrink-on-load when the decoder allows it) for this transform.</summary>
    public DecodedImage Decode(string path) => Decoder.Decode(path, (Config.Height, Config.Width));

    /// <summary>The transformed image before ToTensor: RGB uchar, Config.Height x Config.Width, 3 bands (in memory).</summary>
    public Image ApplyImage(DecodedImage image) =>
        Image.NewFromMemoryCopy<byte>(ApplyBytes(image), Config.Width, Config.Height, 3, Enums.BandFormat.Uchar)
            .Copy(interpretation: Enums.Interpretation.Srgb);

    /// <summary>The transformed image as RGB uint8 in HWC order (what ToTensor receives), length H * W * 3.</summary>
    public byte[] ApplyBytes(DecodedImage image)
    {
        var rgb = new byte[Config.Height * Config.Width * 3];
        RenderInto(image, rgb);
        return rgb;
    }

    /// <summary>
    /// Writes the model input for <paramref name="image"/> into <paramref name="chw"/> (3 * H * W floats, (3, H, W)
    /// order): for data loaders that fill a slice of a batch buffer themselves. Thread-safe.
    /// </summary>
    public void ApplyInto(DecodedImage image, Span<float> chw)
    {
        int n = Config.Height * Config.Width * 3;
        if (chw.Length != n) throw new ArgumentException($"Expected {n} floats, got {chw.Length}.", nameof(chw));
        var rgb = ArrayPool<byte>.Shared.Rent(n);
        try
        {
            RenderInto(image, rgb.AsSpan(0, n));
            ImageTensors.NormalizeInto(rgb.AsSpan(0, n), chw, Config);
        }
        finally { ArrayPool<byte>.Shared.Return(rgb); }
    }

    /// <summary>
    /// A batch as float32 (B, 3, H, W), row-major, the images transformed on up to <paramref name="threads"/> threads at
    /// once (each image by one thread; results do not depend on the count).
    /// </summary>
    public float[] ApplyBatch(IReadOnlyList<DecodedImage> images, int threads = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        int n = Config.Height * Config.Width * 3;
        var all = new float[images.Count * n];
        if (threads == 1 || images.Count < 2)
            for (int i = 0; i < images.Count; i++) ApplyInto(images[i], all.AsSpan(i * n, n));
        else
            Parallel.For(0, images.Count, new ParallelOptions { MaxDegreeOfParallelism = threads },
                i => ApplyInto(images[i], all.AsSpan(i * n, n)));
        return all;
    }

    /// <summary>
    /// The resize target and the window of it that becomes the output (top/left may be negative: padding), and the
    /// padding level, for an <paramref name="h"/> x <paramref name="w"/> input.
    /// </summary>
    public (int ResizeHeight, int ResizeWidth, int Top, int Left, byte Fill) Plan(int h, int w)
    {
        int th = Config.Height, tw = Config.Width;
        switch (Config.ResizeMode)
        {
            case ResizeMode.Squash:
                return (th, tw, 0, 0, 0);
            case ResizeMode.Shortest:
            {
                // torchvision CenterCrop pads with 0 where the image is smaller than the crop.
                var (rh, rw) = ShortestResizeSize(h, w, th, tw);
                return (rh, rw, PadCropOffset(rh, th), PadCropOffset(rw, tw), 0);
            }
            case ResizeMode.Longest:
            {
                var (rh, rw) = KeepRatioSize(h, w, th, tw, longest: true);
                return (rh, rw, PadCropOffset(rh, th), PadCropOffset(rw, tw), (byte)Config.FillColor);
            }
            default:
                throw new InvalidOperationException($"Unhandled resize mode {Config.ResizeMode}.");
        }
    }

    private void RenderInto(DecodedImage image, Span<byte> rgb)
    {
        var (rh, rw, top, left, fill) = Plan(image.Height, image.Width);
        PilRender.RenderRgb(image, 0, 0, image.Width, image.Height, rw, rh, Config.Interpolation,
            left, top, Config.Width, Config.Height, fill, rgb);
    }

    /// <summary>torchvision <c>Resize(int)</c> for square targets, OpenCLIP <c>ResizeKeepRatio</c> otherwise: (height, width).</summary>
    public static (int Height, int Width) ShortestResizeSize(int h, int w, int th, int tw)
    {
        if (th != tw) return KeepRatioSize(h, w, th, tw, longest: false);
        int s = th;
        if (w <= h) return ((int)((long)s * h / w), s); // int(S * long / short): truncation
        return (s, (int)((long)s * w / h));
    }

    /// <summary>OpenCLIP ResizeKeepRatio: ratio = max (longest) or min of h/th, w/tw; size = round-half-even(side / ratio).</summary>
    public static (int Height, int Width) KeepRatioSize(int h, int w, int th, int tw, bool longest)
    {
        double rh = (double)h / th, rw = (double)w / tw;
        double ratio = longest ? Math.Max(rh, rw) : Math.Min(rh, rw);
        return ((int)Math.Round(h / ratio, MidpointRounding.ToEven), (int)Math.Round(w / ratio, MidpointRounding.ToEven));
    }

    /// <summary>torchvision CenterCrop offsets: (int(round((h - th) / 2.0)), int(round((w - tw) / 2.0))), half to even.</summary>
    public static (int Top, int Left) CenterCropOffset(int h, int w, int th, int tw) =>
        ((int)Math.Round((h - th) / 2.0, MidpointRounding.ToEven), (int)Math.Round((w - tw) / 2.0, MidpointRounding.ToEven));

    // Pad-then-centre-crop along one axis (OpenCLIP CenterCropOrPad, torchvision CenterCrop): a side shorter than the
    // target is padded by (t - s) // 2 before it, so the window starts at -(t - s) // 2; a longer side is cropped at
    // round((s - t) / 2) (half to even).
    private static int PadCropOffset(int size, int target) =>
        size < target ? -((target - size) / 2) : (int)Math.Round((size - target) / 2.0, MidpointRounding.ToEven);
}

using NetVips;
using TorchSharp;
using static TorchSharp.torch;

namespace ClipSharp.Data.Images;

/// <summary>
/// OpenCLIP's eval transform (<c>image_transform_v2(..., is_train=False)</c>) on libvips: resize by
/// <see cref="ResizeMode"/> in the image's own mode (Pillow order: resize, crop, then convert to RGB), then
/// ToTensor + Normalize into float32 CHW.
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
public sealed class EvalTransform
{
    /// <summary>The preprocessing settings.</summary>
    public PreprocessConfig Config { get; }

    /// <summary>The decoder used by the path/bytes overloads.</summary>
    public ImageDecoder Decoder { get; }

    /// <summary>Creates the transform for <paramref name="config"/> (validated).</summary>
    public EvalTransform(PreprocessConfig config, ImageDecoder? decoder = null)
    {
        Config = config.Validated();
        Decoder = decoder ?? new ImageDecoder();
    }

    /// <summary>Decodes <paramref name="path"/> (with shrink-on-load when the decoder allows it) for this transform.</summary>
    public DecodedImage Decode(string path) => Decoder.Decode(path, (Config.Height, Config.Width));

    /// <summary>The transformed image before ToTensor: RGB uchar, Config.Height x Config.Width, 3 bands (lazy libvips image).</summary>
    public Image ApplyImage(DecodedImage image)
    {
        int th = Config.Height, tw = Config.Width;
        switch (Config.ResizeMode)
        {
            case ResizeMode.Squash:
                return PilModes.ToRgb(PilModes.Resize(image, tw, th, Config.Interpolation));
            case ResizeMode.Shortest:
            {
                var (rh, rw) = ShortestResizeSize(image.Height, image.Width, th, tw);
                var resized = PilModes.Resize(image, rw, rh, Config.Interpolation);
                var (top, left) = CenterCropOffset(rh, rw, th, tw);
                return PilModes.ToRgb(resized.ExtractArea(left, top, tw, th));
            }
            case ResizeMode.Longest:
            {
                var (rh, rw) = KeepRatioSize(image.Height, image.Width, th, tw, longest: true);
                var rgb = PilModes.ToRgb(PilModes.Resize(image, rw, rh, Config.Interpolation));
                return CenterCropOrPad(rgb, th, tw, Config.FillColor);
            }
            default:
                throw new InvalidOperationException($"Unhandled resize mode {Config.ResizeMode}.");
        }
    }

    /// <summary>The transformed image as RGB uint8 in HWC order (what ToTensor receives), length H * W * 3.</summary>
    public byte[] ApplyBytes(DecodedImage image)
    {
        using var img = ApplyImage(image);
        return img.WriteToMemory<byte>();
    }

    /// <summary>The model input: float32 (3, H, W), (x / 255 - mean) / std, on the CPU.</summary>
    public Tensor Apply(DecodedImage image)
    {
        var chw = new float[3 * Config.Height * Config.Width];
        ImageTensors.NormalizeInto(ApplyBytes(image), chw, Config);
        return tensor(chw, [3, Config.Height, Config.Width], ScalarType.Float32);
    }

    /// <summary>Decodes and transforms one file: float32 (3, H, W) on the CPU.</summary>
    public Tensor Apply(string path)
    {
        using var img = Decode(path);
        return Apply(img);
    }

    /// <summary>A batch (B, 3, H, W) float32 on <paramref name="device"/> (CPU when null).</summary>
    public Tensor ApplyBatch(IReadOnlyList<DecodedImage> images, Device? device = null)
    {
        int n = Config.Height * Config.Width * 3;
        var all = new float[images.Count * n];
        for (int i = 0; i < images.Count; i++)
            ImageTensors.NormalizeInto(ApplyBytes(images[i]), all.AsSpan(i * n, n), Config);
        var t = tensor(all, [images.Count, 3, Config.Height, Config.Width], ScalarType.Float32);
        if (device is null || device.type == DeviceType.CPU) return t;
        using (t) return t.to(device);
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

    // OpenCLIP CenterCropOrPad: pad with fill to at least (th, tw) (left/top = (t - s) // 2), then centre-crop.
    private static Image CenterCropOrPad(Image rgb, int th, int tw, int fill)
    {
        int h = rgb.Height, w = rgb.Width;
        if (h < th || w < tw)
        {
            int ph = Math.Max(th, h), pw = Math.Max(tw, w);
            int left = w < tw ? (tw - w) / 2 : 0, top = h < th ? (th - h) / 2 : 0;
            rgb = rgb.Embed(left, top, pw, ph, Enums.Extend.Background, [fill, fill, fill]);
            h = ph; w = pw;
        }
        var (ct, cl) = CenterCropOffset(h, w, th, tw);
        return rgb.ExtractArea(cl, ct, tw, th);
    }
}

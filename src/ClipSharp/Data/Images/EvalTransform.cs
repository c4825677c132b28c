using NetVips;
using TorchSharp;
using static TorchSharp.torch;

namespace ClipSharp.Data.Images;

/// <summary>
/// OpenCLIP's eval transform as TorchSharp tensors (the pixel work is <see cref="EvalPreprocessor"/>, shared with the
/// ONNX Runtime facade) (<c>image_transform_v2(..., is_train=False)</c>) on libvips: resize by
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
    /// <summary>The preprocessing parameters.</summary>
    public PreprocessConfig Config => Preprocessor.Config;

    /// <summary>Decodes files in their Pillow mode at the draft scale this transform allows.</summary>
    public ImageDecoder Decoder => Preprocessor.Decoder;

    /// <summary>The torch-free pixel pipeline this transform wraps.</summary>
    public EvalPreprocessor Preprocessor { get; }

    /// <summary>A transform for <paramref name="config"/> (validated); <paramref name="decoder"/> defaults to a new <see cref="ImageDecoder"/>.</summary>
    public EvalTransform(PreprocessConfig config, ImageDecoder? decoder = null) => Preprocessor = new EvalPreprocessor(config, decoder);

    /// <summary>Decodes a file in its Pillow mode (see <see cref="EvalPreprocessor.Decode"/>).</summary>
    public DecodedImage Decode(string path) => Preprocessor.Decode(path);

    /// <summary>The transformed image before ToTensor: RGB uchar, Config.Height x Config.Width, 3 bands (in memory).</summary>
    public Image ApplyImage(DecodedImage image) => Preprocessor.ApplyImage(image);

    /// <summary>The transformed image as RGB uint8 in HWC order (what ToTensor receives), length H * W * 3.</summary>
    public byte[] ApplyBytes(DecodedImage image) => Preprocessor.ApplyBytes(image);

    /// <summary>Transforms into <paramref name="chw"/> (length 3 * H * W): (x / 255 - mean) / std.</summary>
    public void ApplyInto(DecodedImage image, Span<float> chw) => Preprocessor.ApplyInto(image, chw);

    /// <summary>The model input: float32 (3, H, W), (x / 255 - mean) / std, on the CPU.</summary>
    public Tensor Apply(DecodedImage image)
    {
        var chw = new float[3 * Config.Height * Config.Width];
        ApplyInto(image, chw);
        return tensor(chw, [3, Config.Height, Config.Width], ScalarType.Float32);
    }

    /// <summary>Decodes and transforms one file: float32 (3, H, W) on the CPU.</summary>
    public Tensor Apply(string path)
    {
        using var img = Decode(path);
        return Apply(img);
    }

    /// <summary>A batch (B, 3, H, W) float32 on <paramref name="device"/> (CPU when null), on the calling thread.</summary>
    public Tensor ApplyBatch(IReadOnlyList<DecodedImage> images, Device? device = null) => ApplyBatch(images, 1, device);

    /// <summary>
    /// A batch (B, 3, H, W) float32 on <paramref name="device"/> (CPU when null), the images transformed on up to
    /// <paramref name="threads"/> threads at once (each image by one thread; results do not depend on the count).
    /// </summary>
    public Tensor ApplyBatch(IReadOnlyList<DecodedImage> images, int threads, Device? device = null)
    {
        var t = tensor(Preprocessor.ApplyBatch(images, threads), [images.Count, 3, Config.Height, Config.Width], ScalarType.Float32);
        if (device is null || device.type == DeviceType.CPU) return t;
        using (t) return t.to(device);
    }

    /// <inheritdoc cref="EvalPreprocessor.Plan"/>
    public (int ResizeHeight, int ResizeWidth, int Top, int Left, byte Fill) Plan(int h, int w) => Preprocessor.Plan(h, w);

    /// <inheritdoc cref="EvalPreprocessor.ShortestResizeSize"/>
    public static (int Height, int Width) ShortestResizeSize(int h, int w, int th, int tw) => EvalPreprocessor.ShortestResizeSize(h, w, th, tw);

    /// <inheritdoc cref="EvalPreprocessor.KeepRatioSize"/>
    public static (int Height, int Width) KeepRatioSize(int h, int w, int th, int tw, bool longest) => EvalPreprocessor.KeepRatioSize(h, w, th, tw, longest);

    /// <inheritdoc cref="EvalPreprocessor.CenterCropOffset"/>
    public static (int Top, int Left) CenterCropOffset(int h, int w, int th, int tw) => EvalPreprocessor.CenterCropOffset(h, w, th, tw);
}

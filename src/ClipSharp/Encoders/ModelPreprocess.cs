using System.Text.Json;
using ClipSharp.Data.Images;
using ClipSharp.Modeling;

namespace ClipSharp.Encoders;

/// <summary>The image preprocessing a model config implies, the one rule training, evaluation and inference share.</summary>
public static class ModelPreprocess
{
    /// <summary>
    /// Its preprocess_cfg (image_size defaulting to the vision tower's), else the family default — CLIPS (ImageNet
    /// mean/std, bilinear squash) for captioner models, OpenAI CLIP otherwise.
    /// </summary>
    public static PreprocessConfig For(ModelConfigFile file)
    {
        var size = file.Model.Vision.ImageSize;
        if (file.PreprocessCfg is not { ValueKind: JsonValueKind.Object } pre)
            return file.Model.Kind == ModelKind.Clips ? PreprocessConfig.Clips(size) : PreprocessConfig.OpenAi(size);
        var cfg = PreprocessConfig.FromJson(pre.GetRawText(), $"{file.Path}: preprocess_cfg");
        bool hasSize = pre.TryGetProperty("image_size", out _) || pre.TryGetProperty("size", out _);
        return hasSize ? cfg : cfg with { Height = size, Width = size };
    }
}

using TorchSharp;
using static TorchSharp.torch;

namespace ClipSharp.Modeling;

/// <summary>Outputs of a captioning forward pass.</summary>
public sealed record CaptionForward(Tensor ImageFeatures, Tensor TextFeatures, Tensor Logits);

/// <summary>OpenCLIP's CoCa: `visual.` (with attentional pooler), `text.` (appended class token), `text_decoder.`.</summary>
public sealed class CoCaModel : ContrastiveModel
{
    public readonly TextTransformer text;
    public readonly VisionTransformer visual;
    public readonly MultimodalTransformer text_decoder;

    public CoCaModel(ModelConfig config) : base(config, nameof(CoCaModel))
    {
        if (config.Vision.IsResNet)
            throw new ClipSharp.Core.ClipSharpException("CoCa needs a ViT image tower (its attentional pooler reads patch tokens); OpenCLIP's CoCa does not build a ResNet tower either.");
        text = new TextTransformer(config.Text with { OutputTokens = true }, config.EmbedDim, config.QuickGelu);
        visual = new VisionTransformer(config.Vision with { OutputTokens = true }, config.EmbedDim, config.QuickGelu);
        text_decoder = new MultimodalTransformer(config.Multimodal!, config.QuickGelu);
        RegisterComponents();
    }

    public override int ContextLength => Config.Text.ContextLength;

    public override VisionOutput EncodeImageFull(Tensor images, Action<string, Tensor>? observe = null) =>
        visual.Encode(images, observe is null ? null : (n, t) => observe($"visual.{n}", t));

    public override TextOutput EncodeTextFull(Tensor ids, Action<string, Tensor>? observe = null) =>
        text.Encode(ids, observe is null ? null : (n, t) => observe($"text.{n}", t));

    /// <summary>
    /// images (B,3,H,W), ids (B, L) → normalized features and decoder logits (B, L, V) over the text token states
    /// (class token removed). The caption loss compares logits[:, :-1] with ids[:, 1:].
    /// </summary>
    public CaptionForward Forward(Tensor images, Tensor ids, Action<string, Tensor>? observe = null)
    {
        var img = EncodeImageFull(images, observe);
        var txt = EncodeTextFull(ids, observe);
        var logits = text_decoder.forward(img.Tokens, txt.Tokens, observe is null ? null : (n, t) => observe($"text_decoder.{n}", t));
        return new CaptionForward(Normalize(img.Pooled, true), Normalize(txt.Pooled, true), logits);
    }
}

using TorchSharp;
using static TorchSharp.torch;

namespace ClipSharp.Modeling;

/// <summary>Outputs of one CLIPS training forward pass (spec Appendix A).</summary>
public sealed record ClipsForward(
    Tensor ImageFeatures, Tensor WebFeatures, Tensor PartialFeatures, Tensor CaptionLogits,
    VisionOutput Vision, TextOutput Text);

/// <summary>
/// A CLIPS model: OpenCLIP CLIP encoders (CLIPS configs) plus the learnable-query captioner under `text_decoder.`.
/// Its state dict without `text_decoder.*` is exactly a released CLIPS checkpoint.
/// </summary>
public sealed class ClipsModel : ClipModel
{
    public readonly CaptionDecoder text_decoder;

    public ClipsModel(ModelConfig config) : base(config)
    {
        text_decoder = new CaptionDecoder(config.Decoder!, Vision.TokenWidth, config.Text.Width, config.Text.VocabSize);
        register_module("text_decoder", text_decoder);
    }

    /// <summary>
    /// images (B,3,H,W); web and partial ids (B, L) in the CLIPS layout. The text tower runs once on cat([web; partial])
    /// (2B rows); the captioner sees the web caption's pre-ln_final states without the [CLS] slot.
    /// </summary>
    public ClipsForward Forward(Tensor images, Tensor webIds, Tensor partialIds, Action<string, Tensor>? observe = null)
    {
        long b = images.shape[0];
        var vision = EncodeImageFull(images, observe);
        var text = EncodeTextFull(torch.cat([webIds, partialIds], 0));
        var t = Normalize(text.Pooled, true);
        var webStates = text.States[..(int)b, ..^1];                       // (B, L-1, Wt)
        var logits = text_decoder.forward(vision.PatchStates, webStates,
            observe is null ? null : (n, x) => observe($"text_decoder.{n}", x));
        return new ClipsForward(Normalize(vision.Pooled, true), t[..(int)b], t[(int)b..], logits, vision, text);
    }
}

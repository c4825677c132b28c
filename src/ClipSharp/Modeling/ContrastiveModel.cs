using ClipSharp.Core;
using ClipSharp.Modeling.Layers;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ClipSharp.Modeling;

/// <summary>
/// What every ClipSharp model offers: image and text embeddings in a joint space and a learnable temperature.
/// OpenCLIP's CLIP encoders return unnormalized features by default and CoCa's normalized ones; here the caller
/// always says which it wants.
/// </summary>
public abstract class ContrastiveModel : nn.Module
{
    /// <summary>The log-space temperature; logits are exp(logit_scale) · cos-similarity.</summary>
    public readonly Parameter logit_scale;

    /// <summary>Optional logit bias (SigLIP).</summary>
    public readonly Parameter? logit_bias;

    /// <summary>The architecture this model was built from.</summary>
    public ModelConfig Config { get; }

    protected ContrastiveModel(ModelConfig config, string name) : base(name)
    {
        Config = config;
        logit_scale = new Parameter(torch.tensor((float)config.InitLogitScale));
        if (config.InitLogitBias is { } b) logit_bias = new Parameter(torch.tensor((float)b));
    }

    /// <summary>images (B, 3, H, W) → (B, E).</summary>
    public Tensor EncodeImage(Tensor images, bool normalize) => Normalize(ImageFeatures(images), normalize);

    /// <summary>token ids (B, L) → (B, E).</summary>
    public Tensor EncodeText(Tensor ids, bool normalize) => Normalize(TextFeatures(ids), normalize);

    /// <summary>Unnormalized pooled image features (B, E); a tower that can compute them with less work than the full
    /// output overrides this (the result must equal EncodeImageFull(images).Pooled).</summary>
    protected virtual Tensor ImageFeatures(Tensor images) => EncodeImageFull(images).Pooled;

    /// <summary>Unnormalized pooled text features (B, E); as <see cref="ImageFeatures"/>.</summary>
    protected virtual Tensor TextFeatures(Tensor ids) => EncodeTextFull(ids).Pooled;

    /// <summary>The whole vision output (pooled features, tokens, pre-LN patch states).</summary>
    public abstract VisionOutput EncodeImageFull(Tensor images, Action<string, Tensor>? observe = null);

    /// <summary>The whole text output (pooled features, tokens, pre-LN states).</summary>
    public abstract TextOutput EncodeTextFull(Tensor ids, Action<string, Tensor>? observe = null);

    /// <summary>(logits_per_image, logits_per_text) = exp(logit_scale) · I Tᵀ (+ bias) for normalized features.</summary>
    public (Tensor PerImage, Tensor PerText) Logits(Tensor imageFeatures, Tensor textFeatures)
    {
        var perImage = logit_scale.exp() * imageFeatures.matmul(textFeatures.t());
        if (logit_bias is not null) perImage = perImage.add(logit_bias, Scalars.One);
        return (perImage, perImage.t());
    }

    /// <summary>
    /// OpenCLIP's <c>set_grad_checkpointing(enable)</c>: every residual block of the towers and decoders recomputes its
    /// activations in the backward instead of storing them (<see cref="GradCheckpoint"/>): less memory for about one more
    /// forward of compute, the same gradients. A ModifiedResNet image tower's blocks do not checkpoint (OpenCLIP refuses
    /// it for that tower); the model's text tower still does.
    /// </summary>
    public void SetGradCheckpointing(bool enable = true)
    {
        foreach (var m in modules().OfType<IGradCheckpointing>()) m.GradCheckpointing = enable;
    }

    /// <summary>
    /// The generator the training-only random layers (patch dropout) draw from; null = libtorch's global generator.
    /// The trainer passes one it reseeds before every forward, so every draw is a function of (seed, step, rank,
    /// micro-batch) and a resumed run equals an uninterrupted one.
    /// </summary>
    public void SetTrainingRandomness(Generator? generator)
    {
        foreach (var m in modules().OfType<PatchDropout>()) m.Generator = generator;
    }

    /// <summary>Text context length the tokenizer must produce.</summary>
    public abstract int ContextLength { get; }

    protected static Tensor Normalize(Tensor x, bool normalize) =>
        normalize ? nn.functional.normalize(x, dim: -1) : x;
}

using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ClipSharp.Modeling;

/// <summary>
/// OpenCLIP's CLIP: a vision tower under `visual.` and a text tower whose parts sit at the root (token_embedding,
/// positional_embedding, transformer, ln_final, text_projection), plus logit_scale. The released CLIPS encoders are
/// this class with CLIPS configs. With `custom_text` it is OpenCLIP's CustomTextCLIP: the text tower keeps its own
/// module under `text.`.
/// </summary>
public class ClipModel : ContrastiveModel
{
    /// <summary>The image tower (a <see cref="VisionTransformer"/> or a <see cref="ModifiedResNet"/>).</summary>
    public readonly nn.Module visual;
    private readonly TextTransformer _text;
    private bool _registered;

    public ClipModel(ModelConfig config) : base(config, nameof(ClipModel))
    {
        visual = VisionTowers.Create(config.Vision, config.EmbedDim, config.QuickGelu);
        _text = new TextTransformer(config.Text, config.EmbedDim, config.QuickGelu);
        RegisterComponents();
    }

    /// <summary>The image tower's encoder view.</summary>
    public IVisionTower Vision => (IVisionTower)visual;

    /// <summary>The text tower (its parameters are registered at the model root, as in OpenCLIP).</summary>
    public TextTransformer Text => _text;

    public override int ContextLength => Config.Text.ContextLength;

    // CLIP flattens the text tower into root-level keys (OpenCLIP copies its modules onto CLIP itself);
    // CustomTextCLIP keeps it under `text.`.
    protected override void RegisterComponents()
    {
        if (_registered) return;
        _registered = true;
        register_module("visual", visual);
        if (Config.CustomText) register_module("text", _text);
        else
        {
            foreach (var (name, p) in _text.named_parameters(recurse: false)) register_parameter(name, p);
            foreach (var (name, m) in _text.named_children()) register_module(name, m);
        }
        register_parameter("logit_scale", logit_scale);
        if (logit_bias is not null) register_parameter("logit_bias", logit_bias);
    }

    // Module.to(dtype or device) replaces (and disposes) the parameters registered here, the text tower's included;
    // the tower's own fields must follow, or it reads disposed tensors after model.to(cuda) or model.to(bf16).
    protected override void _toEpilog(ScalarType? dtype, Device? device, bool non_blocking)
    {
        base._toEpilog(dtype, device, non_blocking);
        if (!Config.CustomText) _text.AdoptParameters(named_parameters(recurse: false).ToDictionary(p => p.name, p => p.parameter));
    }

    public override VisionOutput EncodeImageFull(Tensor images, Action<string, Tensor>? observe = null) =>
        Vision.Encode(images, observe is null ? null : (n, t) => observe($"visual.{n}", t));

    public override TextOutput EncodeTextFull(Tensor ids, Action<string, Tensor>? observe = null) =>
        _text.Encode(ids, observe is null || !Config.CustomText ? observe : (n, t) => observe($"text.{n}", t));

    protected override Tensor ImageFeatures(Tensor images) => Vision.EncodePooled(images);

    protected override Tensor TextFeatures(Tensor ids) => _text.EncodePooled(ids);
}

using ClipSharp.Core;
using ClipSharp.Modeling.Layers;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ClipSharp.Modeling;

/// <summary>
/// CoCa's multimodal text decoder: per layer, a causal self-attention block over the (teacher-forced) text token
/// states (`resblocks.{i}`) then a cross-attention block to the image tokens (`cross_attn.{i}`); ln_final; vocabulary
/// projection `text_projection` (W, V).
/// </summary>
public sealed class MultimodalTransformer : nn.Module, IPrecisionAware, IGradCheckpointing
{
    public readonly ModuleList<ResidualAttentionBlock> resblocks;
    public readonly ModuleList<ResidualAttentionBlock> cross_attn;
    public readonly LayerNorm ln_final;
    public readonly Parameter text_projection;

    /// <summary>The dtype of the vocabulary projection (see <see cref="PrecisionPolicy"/>).</summary>
    public PrecisionPolicy Precision { get; set; } = PrecisionPolicy.Native;

    public MultimodalTransformer(MultimodalConfig cfg, bool quickGelu) : base(nameof(MultimodalTransformer))
    {
        var spec = new BlockSpec(cfg.Width, cfg.Heads, 4.0, quickGelu ? ActivationKind.QuickGelu : ActivationKind.Gelu, 1e-5, cfg.LsInitValue);
        resblocks = new ModuleList<ResidualAttentionBlock>();
        cross_attn = new ModuleList<ResidualAttentionBlock>();
        for (int i = 0; i < cfg.Layers; i++)
        {
            resblocks.Add(new ResidualAttentionBlock(spec));
            cross_attn.Add(new ResidualAttentionBlock(spec, crossAttention: true));
        }
        ln_final = nn.LayerNorm(cfg.Width, 1e-5);
        text_projection = new Parameter(torch.randn(cfg.Width, cfg.VocabSize).mul(Scalars.Of(Math.Pow(cfg.Width, -0.5))));
        RegisterComponents();
    }

    /// <inheritdoc/>
    public bool GradCheckpointing { get; set; }

    /// <summary>imageEmbs (B, Li, W), textEmbs (B, Lt, W) → vocabulary logits (B, Lt, V).</summary>
    public Tensor forward(Tensor imageEmbs, Tensor textEmbs, Action<string, Tensor>? observe = null)
    {
        var x = textEmbs;
        for (int i = 0; i < resblocks.Count; i++)
        {
            var (self, cross) = (resblocks[i], cross_attn[i]);
            x = GradCheckpointing ? GradCheckpoint.Run(self, a => self.forward(a[0]!, causal: true), x) : self.forward(x, causal: true);
            observe?.Invoke($"resblocks.{i}", x);
            x = GradCheckpointing ? GradCheckpoint.Run(cross, a => cross.forward(a[0]!, context: a[1]), x, imageEmbs) : cross.forward(x, context: imageEmbs);
            observe?.Invoke($"cross_attn.{i}", x);
        }
        x = ln_final.forward(x);
        observe?.Invoke("ln_final", x);
        return Precision.MatMul(x, text_projection).to(text_projection.dtype);
    }
}

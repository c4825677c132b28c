using ClipSharp.Core;
using ClipSharp.Modeling.Layers;
using TorchSharp;
using TorchSharp.Modules;
using Transformer = ClipSharp.Modeling.Layers.Transformer;
using static TorchSharp.torch;

namespace ClipSharp.Modeling;

/// <summary>Text tower outputs. Pooled: (B, E) before normalization. Tokens: OpenCLIP's `tokens` (ln_final(x), or the
/// pre-LN states without the class token when embed_cls). States: (B, L, W) after the last block, before ln_final.</summary>
public sealed record TextOutput(Tensor Pooled, Tensor Tokens, Tensor States);

/// <summary>OpenCLIP's TextTransformer: causal (CLIP) or bidirectional (CLIPS), optional appended class token (CoCa).</summary>
public sealed class TextTransformer : nn.Module
{
    public readonly Embedding token_embedding;
    public readonly Parameter positional_embedding;
    public readonly Parameter? cls_emb;
    public readonly Transformer transformer;
    public readonly LayerNorm ln_final;
    public readonly Parameter? text_projection;
    private readonly TextConfig _cfg;

    /// <summary>The tower's configuration.</summary>
    public TextConfig Config => _cfg;

    public TextTransformer(TextConfig cfg, int embedDim, bool quickGelu) : base(nameof(TextTransformer))
    {
        _cfg = cfg;
        int w = cfg.Width, numPos = cfg.ContextLength + (cfg.EmbedCls ? 1 : 0);
        token_embedding = nn.Embedding(cfg.VocabSize, w);
        nn.init.normal_(token_embedding.weight!, 0, 0.02);
        positional_embedding = new Parameter(torch.randn(numPos, w).mul(Scalars.Of(0.01)));
        if (cfg.EmbedCls) cls_emb = new Parameter(torch.randn(w).mul(Scalars.Of(0.01)));
        var act = quickGelu ? ActivationKind.QuickGelu : cfg.GeluTanh ? ActivationKind.GeluTanh : ActivationKind.Gelu;
        transformer = new Transformer(new BlockSpec(w, cfg.Heads, cfg.MlpRatio, act, cfg.LayerNormEps, cfg.LsInitValue), cfg.Layers);
        ln_final = nn.LayerNorm(w, cfg.LayerNormEps);
        if (cfg.HasProjection) text_projection = new Parameter(torch.randn(w, embedDim).mul(Scalars.Of(Math.Pow(w, -0.5))));
        InitBlocks(transformer, w, cfg.Layers);
        RegisterComponents();
    }

    /// <summary>OpenCLIP's text init: attn N(0, W^-½), out/c_proj N(0, W^-½(2L)^-½), c_fc N(0, (2W)^-½).</summary>
    internal static void InitBlocks(Transformer t, int width, int layers)
    {
        double proj = Math.Pow(width, -0.5) * Math.Pow(2 * layers, -0.5), attn = Math.Pow(width, -0.5), fc = Math.Pow(2 * width, -0.5);
        using var _ = torch.no_grad();
        foreach (var b in t.resblocks)
        {
            nn.init.normal_(b.attn.in_proj_weight!, 0, attn);
            nn.init.normal_(b.attn.out_proj.weight!, 0, proj);
            nn.init.normal_(b.mlp.c_fc.weight!, 0, fc);
            nn.init.normal_(b.mlp.c_proj.weight!, 0, proj);
        }
    }

    /// <summary>
    /// Points this tower's own parameters (fields and registrations) at <paramref name="byName"/>'s: after a model that
    /// registers them at its root (OpenCLIP's CLIP) was moved or cast, TorchSharp replaced and disposed the originals
    /// there, and this tower must read the new ones.
    /// </summary>
    internal void AdoptParameters(IReadOnlyDictionary<string, Parameter> byName)
    {
        foreach (var (name, p) in byName)
        {
            var field = GetType().GetField(name);       // disposed originals no longer show in named_parameters()
            if (field is null || field.FieldType != typeof(Parameter) || ReferenceEquals(field.GetValue(this), p)) continue;
            ConditionallyRegisterParameter(name, p);
            field.SetValue(this, p);
        }
    }

    /// <summary>ids: (B, L) int64 with L = context_length.</summary>
    public TextOutput Encode(Tensor ids, Action<string, Tensor>? observe = null)
    {
        var x = Embed(ids);
        long seq = x.shape[1];
        var (mask, causal) = TextMasks.Build(_cfg, ids, seq, x.dtype);
        x = transformer.forward(x, mask, causal, observe is null ? null : (i, t) => observe($"transformer.resblocks.{i}", t));
        var states = x;
        Tensor pooled, tokens;
        if (cls_emb is not null)
        {
            // The appended class token (CoCa) is always pooled, and LayerNormed after pooling.
            pooled = ln_final.forward(x[.., -1]);
            observe?.Invoke("ln_final", pooled);
            tokens = x[.., ..^1];
        }
        else
        {
            x = ln_final.forward(x);
            observe?.Invoke("ln_final", x);
            pooled = Pool(x, ids);
            tokens = x;
        }
        if (text_projection is not null) pooled = pooled.matmul(text_projection);
        return new TextOutput(pooled, tokens, states);
    }

    /// <summary>
    /// The pooled features alone, (B, E): equal to <see cref="Encode"/>(ids).Pooled, computed with less work when the
    /// tower pools one position and needs no explicit mask (CLIP: causal, EOT pooling; CLIPS: bidirectional, last
    /// slot). Causal: the pooled row sees only positions up to its own, so every sequence is cut after the batch's
    /// last pooled position (77 → ~20 positions for real captions). Both: the last block runs its query, attention
    /// output and MLP for the pooled row only (<see cref="Transformer.ForwardAt"/>). Anything else takes Encode.
    /// </summary>
    public Tensor EncodePooled(Tensor ids)
    {
        if (cls_emb is not null || TextMasks.NeedsExplicitMask(_cfg) || _cfg.Pool == TextPool.None || ids.shape[0] == 0)
            return Encode(ids).Pooled;
        bool causal = !_cfg.NoCausalMask;
        var index = PoolIndex(ids);                                    // (B,) int64
        if (causal)
        {
            long keep = index.max().item<long>() + 1;
            if (keep < ids.shape[1]) ids = ids[.., ..(int)keep];
        }
        var pooled = ln_final.forward(transformer.ForwardAt(Embed(ids), index, causal));
        return text_projection is null ? pooled : pooled.matmul(text_projection);
    }

    // Token embeddings (+ CoCa's appended class token) + positions: (B, L) → (B, L (+1), W).
    private Tensor Embed(Tensor ids)
    {
        var x = token_embedding.forward(ids);                          // (B, L, W)
        if (cls_emb is not null) x = torch.cat([x, cls_emb.to(x.dtype).expand(x.shape[0], 1, -1)], 1);
        return x.add(positional_embedding[..(int)x.shape[1]].to(x.dtype), Scalars.One);
    }

    private Tensor Pool(Tensor x, Tensor ids) => _cfg.Pool == TextPool.None ? x : Gather(x, PoolIndex(ids));

    // The pooled position of each sequence, (B,) int64.
    private Tensor PoolIndex(Tensor ids) => _cfg.Pool switch
    {
        TextPool.First => torch.zeros(ids.shape[0], dtype: ScalarType.Int64, device: ids.device),
        TextPool.Last => torch.zeros(ids.shape[0], dtype: ScalarType.Int64, device: ids.device).add_(Scalars.Of(ids.shape[1] - 1), Scalars.One), // CLIPS: [CLS] at the last slot
        TextPool.Argmax => ids.argmax(-1),                             // CLIP: the EOT token has the highest id
        TextPool.Eos => ids.eq(Scalars.Of(_cfg.EosId ?? throw new ClipSharpException("text pool_type eos needs eos_id"))).to(ScalarType.Int32).argmax(-1),  // the first eos
        _ => throw new InvalidOperationException($"Text pool type {_cfg.Pool} has no single position."),
    };

    private static Tensor Gather(Tensor x, Tensor index) => x[Scalars.Arange(x.shape[0], x.device), index];
}

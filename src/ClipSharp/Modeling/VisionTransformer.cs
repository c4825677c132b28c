using ClipSharp.Core;
using ClipSharp.Modeling.Layers;
using TorchSharp;
using TorchSharp.Modules;
using Transformer = ClipSharp.Modeling.Layers.Transformer;
using static TorchSharp.torch;

namespace ClipSharp.Modeling;

/// <summary>Vision tower outputs. Pooled: (B, E) before normalization. Tokens: OpenCLIP's `tokens` (after its pooling
/// rule). PatchStates: (B, Np, W) patch tokens after the last block, before ln_post (the CLIPS captioner's input). With
/// patch dropout active (training) Tokens and PatchStates hold the kept patches only (Np = kept), in the drop's order, as
/// OpenCLIP's tokens do: the captioner and CoCa's decoder read the patches the encoder saw.</summary>
public sealed record VisionOutput(Tensor Pooled, Tensor Tokens, Tensor PatchStates);

/// <summary>OpenCLIP's VisionTransformer (pre-LN ViT) with OpenCLIP state-dict names.</summary>
public sealed class VisionTransformer : nn.Module, IPrecisionAware, IVisionTower
{
    public readonly Conv2d conv1;
    public readonly Parameter class_embedding;
    public readonly Parameter positional_embedding;
    public readonly PatchDropout? patch_dropout;
    public readonly LayerNorm? ln_pre;
    public readonly Transformer transformer;
    public readonly AttentionalPooler? attn_pool;
    public readonly LayerNorm ln_post;
    public readonly Parameter proj;
    private readonly VisionConfig _cfg;

    /// <summary>The dtype of the patch embedding (see <see cref="PrecisionPolicy"/>); the output projection stays in the stream dtype.</summary>
    public PrecisionPolicy Precision { get; set; } = PrecisionPolicy.Native;

    /// <summary>The tower's configuration.</summary>
    public VisionConfig Config => _cfg;

    /// <inheritdoc/>
    public int TokenWidth => _cfg.Width;

    public VisionTransformer(VisionConfig cfg, int embedDim, bool quickGelu) : base(nameof(VisionTransformer))
    {
        _cfg = cfg;
        int w = cfg.Width, g = cfg.GridSize;
        double scale = Math.Pow(w, -0.5);
        conv1 = nn.Conv2d(3, w, cfg.PatchSize, stride: cfg.PatchSize, bias: false);
        class_embedding = new Parameter(torch.randn(w).mul(Scalars.Of(scale)));
        positional_embedding = new Parameter(torch.randn(g * g + 1, w).mul(Scalars.Of(scale)));
        if (cfg.PatchDropout != 0) patch_dropout = new PatchDropout(cfg.PatchDropout);     // OpenCLIP: nn.Identity at 0
        if (!cfg.NoLnPre) ln_pre = nn.LayerNorm(w, cfg.LayerNormEps);
        var act = quickGelu ? ActivationKind.QuickGelu : cfg.GeluTanh ? ActivationKind.GeluTanh : ActivationKind.Gelu;
        transformer = new Transformer(new BlockSpec(w, cfg.Heads, cfg.MlpRatio, act, cfg.LayerNormEps, cfg.LsInitValue), cfg.Layers);
        int poolDim = w;
        if (cfg.AttentionalPool)
        {
            attn_pool = new AttentionalPooler(embedDim, w, cfg.AttnPoolerHeads, cfg.AttnPoolerQueries, cfg.LayerNormEps);
            poolDim = embedDim;
        }
        ln_post = nn.LayerNorm(poolDim, cfg.LayerNormEps);
        proj = new Parameter(torch.randn(poolDim, embedDim).mul(Scalars.Of(scale)));
        RegisterComponents();
    }

    /// <summary>images: (B, 3, H, W) normalized. <paramref name="observe"/> receives intermediates named by OpenCLIP module path.</summary>
    public VisionOutput Encode(Tensor images, Action<string, Tensor>? observe = null)
    {
        var x = Embed(images, observe);
        x = transformer.forward(x, observe: observe is null ? null : (i, t) => observe($"transformer.resblocks.{i}", t));
        var patches = x[.., 1..];                                       // (B, g², W) pre-ln_post
        Tensor pooled, tokens;
        if (attn_pool is not null)
        {
            // OpenCLIP's CoCa setup: pool, then LN, then split the first query off as the pooled feature.
            var a = attn_pool.forward(x);                               // (B, n_queries, E)
            observe?.Invoke("attn_pool", a);
            a = ln_post.forward(a);
            observe?.Invoke("ln_post", a);
            (pooled, tokens) = GlobalPool(a);
        }
        else if (_cfg.FinalLnAfterPool)
        {
            (pooled, tokens) = GlobalPool(x);
            pooled = ln_post.forward(pooled);
            observe?.Invoke("ln_post", pooled);
        }
        else
        {
            x = ln_post.forward(x);
            observe?.Invoke("ln_post", x);
            (pooled, tokens) = GlobalPool(x);
        }
        return new VisionOutput(pooled.matmul(proj), tokens, patches);   // proj in the stream dtype, also under amp
    }

    /// <summary>
    /// The pooled features alone, (B, E): equal to <see cref="Encode"/>(images).Pooled. With class-token pooling and no
    /// attentional pooler the last block runs its query, attention output and MLP for the class token only
    /// (<see cref="Transformer.ForwardAt"/>; ln_post is per token, so its place before or after pooling does not matter).
    /// </summary>
    public Tensor EncodePooled(Tensor images)
    {
        if (attn_pool is not null || _cfg.Pool != VisionPool.Token) return Encode(images).Pooled;
        var x = Embed(images, null);
        var cls = torch.zeros(x.shape[0], dtype: ScalarType.Int64, device: x.device);
        return ln_post.forward(transformer.ForwardAt(x, cls, causal: false)).matmul(proj);
    }

    // Patch embedding + class token + positions (+ patch dropout in training) (+ ln_pre): (B, 3, H, W) → (B, g²+1, W).
    private Tensor Embed(Tensor images, Action<string, Tensor>? observe)
    {
        var x = PatchEmbed(images);                                     // (B, W, g, g)
        observe?.Invoke("conv1", x);
        x = x.flatten(2).transpose(1, 2);                               // (B, g², W), row-major patches
        var cls = class_embedding.to(x.dtype).expand(x.shape[0], 1, -1);
        x = torch.cat([cls, x], 1).add(positional_embedding.to(x.dtype), Scalars.One);  // (B, g²+1, W)
        if (patch_dropout is not null) x = patch_dropout.forward(x);                    // training: (B, 1+kept, W)
        if (ln_pre is not null) x = ln_pre.forward(x);
        observe?.Invoke("ln_pre", x);                                   // no_ln_pre: OpenCLIP's ln_pre is an nn.Identity, observed all the same
        return x;
    }

    // conv1 (kernel = stride = patch) in the policy's matmul dtype, as a patchify + linear (libtorch's CPU bf16
    // conv2d ran ViT-B-32's patch embedding ~4x slower than the GEMM); the stream continues in the parameters' dtype.
    private Tensor PatchEmbed(Tensor images)
    {
        if (Precision.Matmul is null) return conv1.forward(images.to(conv1.weight!.dtype)); // fp32 pixels into a bf16 model too
        long b = images.shape[0], c = images.shape[1], p = _cfg.PatchSize, gh = images.shape[2] / p, gw = images.shape[3] / p;
        var patches = images.view(b, c, gh, p, gw, p).permute(0, 2, 4, 1, 3, 5).reshape(b, gh * gw, c * p * p); // (B, g², 3p²)
        var w = conv1.weight!;
        var x = Precision.Linear(patches, w.view(w.shape[0], -1), null);                                      // (B, g², W)
        return x.to(class_embedding.dtype).transpose(1, 2).view(b, w.shape[0], gh, gw);                      // (B, W, g, g)
    }

    // 'avg': mean over patch tokens (class token excluded); 'tok': the class token.
    private (Tensor Pooled, Tensor Tokens) GlobalPool(Tensor x) => _cfg.Pool switch
    {
        VisionPool.Average => (x[.., 1..].mean([1]), x[.., 1..]),
        VisionPool.Token => (x[.., 0], x[.., 1..]),
        _ => (x, x),
    };
}

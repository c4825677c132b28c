using ClipSharp.Core;
using ClipSharp.Modeling.Layers;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using Transformer = ClipSharp.Modeling.Layers.Transformer;

namespace ClipSharp.Modeling;

/// <summary>
/// The CLIPS captioner (spec §4.3, OpenVision semantics): bias-free projections of the vision patch states (pre-ln_post)
/// and of the web-caption token states (pre-ln_final, [CLS] slot dropped) form a prefix; Q learnable queries follow; pre-LN
/// blocks run under the prefix-LM mask; ln_final and a bias-free vocabulary head give (B, Q, V) logits. Query i predicts
/// caption token i+1 (no teacher forcing): every position is predicted in one pass.
/// </summary>
public sealed class CaptionDecoder : nn.Module, IPrecisionAware
{
    public readonly Linear img_proj;
    public readonly Linear txt_proj;
    public readonly Parameter queries;
    public readonly Transformer transformer;
    public readonly LayerNorm ln_final;
    public readonly Linear head;
    private readonly DecoderConfig _cfg;

    /// <summary>The dtype of the prefix projections and the vocabulary head (see <see cref="PrecisionPolicy"/>).</summary>
    public PrecisionPolicy Precision { get; set; } = PrecisionPolicy.Native;

    public CaptionDecoder(DecoderConfig cfg, int visionWidth, int textWidth, int vocabSize) : base(nameof(CaptionDecoder))
    {
        _cfg = cfg;
        int w = cfg.Width;
        // OpenVision init: projections N(0, in^-½), queries N(0, 1), head N(0, Wd^-½).
        img_proj = nn.Linear(visionWidth, w, hasBias: false);
        txt_proj = nn.Linear(textWidth, w, hasBias: false);
        queries = new Parameter(torch.randn(cfg.NumLearnableTokens, w));
        transformer = new Transformer(new BlockSpec(w, cfg.Heads, cfg.MlpRatio, ActivationKind.GeluTanh, 1e-6), cfg.Layers);
        ln_final = nn.LayerNorm(w, 1e-6);
        head = nn.Linear(w, vocabSize, hasBias: false);
        using (torch.no_grad())
        {
            nn.init.normal_(img_proj.weight!, 0, Math.Pow(visionWidth, -0.5));
            nn.init.normal_(txt_proj.weight!, 0, Math.Pow(textWidth, -0.5));
            nn.init.normal_(head.weight!, 0, Math.Pow(w, -0.5));
        }
        RegisterComponents();
    }

    /// <summary>Number of learnable queries (= decoder target length).</summary>
    public int NumQueries => _cfg.NumLearnableTokens;

    /// <summary>
    /// patchStates (B, Np, Wv), webStates (B, Lw, Wt) (already without the [CLS] slot) → logits (B, Q, V).
    /// <paramref name="observe"/> sees "block{i}.queries" (B, Q, Wd) and "hidden" = ln_final output (B, Q, Wd).
    /// </summary>
    public Tensor forward(Tensor patchStates, Tensor webStates, Action<string, Tensor>? observe = null)
    {
        var p = Precision;
        var prefix = torch.cat([p.Linear(patchStates, img_proj.weight!, null), p.Linear(webStates, txt_proj.weight!, null)], 1)
            .to(queries.dtype);                                                                   // (B, li, Wd)
        long li = prefix.shape[1], q = queries.shape[0];
        var x = torch.cat([prefix, queries.to(prefix.dtype).expand(prefix.shape[0], -1, -1)], 1); // (B, li+Q, Wd)
        var mask = PrefixLmMask(li, q, x.dtype, x.device);
        x = transformer.forward(x, mask, observe: observe is null ? null : (i, t) => observe($"block{i}.queries", t[.., (int)li..]));
        var hidden = ln_final.forward(x[.., (int)li..]);
        observe?.Invoke("hidden", hidden);
        return p.Linear(hidden, head.weight!, null).to(queries.dtype);                         // (B, Q, V) logits in the stream dtype
    }

    /// <summary>
    /// Additive (L, L) mask, L = li + q: prefix↔prefix open (bidirectional), prefix never sees queries, queries see the
    /// whole prefix, queries causal among themselves (lower triangle incl. the diagonal). -inf = blocked.
    /// </summary>
    public static Tensor PrefixLmMask(long li, long q, ScalarType dtype, Device device)
    {
        long n = li + q;
        var allowed = torch.ones(n, n, dtype: ScalarType.Bool, device: device);
        allowed[..(int)li, (int)li..] = torch.tensor(false, device: device);
        allowed[(int)li.., (int)li..] = torch.ones(q, q, dtype: ScalarType.Bool, device: device).tril();
        return torch.zeros(n, n, dtype: dtype, device: device).masked_fill(allowed.logical_not(), Scalars.NegativeInfinity);
    }
}

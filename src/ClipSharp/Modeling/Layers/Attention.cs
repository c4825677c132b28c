using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ClipSharp.Modeling.Layers;

/// <summary>
/// Multi-head attention with nn.MultiheadAttention's parameter layout (OpenCLIP `Attention`): a fused
/// `in_proj_weight` (3W, W) with rows [Wq; Wk; Wv] when keys/values have the query width, otherwise separate
/// `q_proj_weight` (W, W), `k_proj_weight` (W, Kd), `v_proj_weight` (W, Vd); `in_proj_bias` (3W); `out_proj`.
/// Scores are scaled by head_dim^-0.5 and computed with libtorch's fused scaled_dot_product_attention.
/// </summary>
public sealed class Attention : nn.Module, IPrecisionAware
{
    public readonly Parameter? in_proj_weight;
    public readonly Parameter? q_proj_weight;
    public readonly Parameter? k_proj_weight;
    public readonly Parameter? v_proj_weight;
    public readonly Parameter in_proj_bias;
    public readonly Linear out_proj;
    private readonly int _heads;

    /// <summary>The dtypes of the projections and of softmax(QKᵀ)V (see <see cref="PrecisionPolicy"/>).</summary>
    public PrecisionPolicy Precision { get; set; } = PrecisionPolicy.Native;

    /// <summary>Number of attention heads.</summary>
    public int Heads => _heads;

    public Attention(int width, int heads, int? kdim = null, int? vdim = null) : base(nameof(Attention))
    {
        _heads = heads;
        int kd = kdim ?? width, vd = vdim ?? width;
        if (kd == width && vd == width)
        {
            in_proj_weight = new Parameter(torch.empty(3 * width, width));
            nn.init.xavier_uniform_(in_proj_weight);
        }
        else
        {
            q_proj_weight = new Parameter(torch.empty(width, width));
            k_proj_weight = new Parameter(torch.empty(width, kd));
            v_proj_weight = new Parameter(torch.empty(width, vd));
            nn.init.xavier_uniform_(q_proj_weight);
            nn.init.xavier_uniform_(k_proj_weight);
            nn.init.xavier_uniform_(v_proj_weight);
        }
        in_proj_bias = new Parameter(torch.zeros(3 * width));
        out_proj = nn.Linear(width, width);
        nn.init.zeros_(out_proj.bias!);
        RegisterComponents();
    }

    /// <summary>
    /// x: (B, Lq, W); kv: (B, Lk, Kd) for cross-attention or null for self-attention. mask: additive float
    /// (Lq, Lk) or (B, heads, Lq, Lk), or boolean with True = may attend. Returns (B, Lq, W).
    /// </summary>
    public Tensor forward(Tensor x, Tensor? kv = null, Tensor? mask = null, bool causal = false)
    {
        long b = x.shape[0], w = x.shape[2];
        var p = Precision;
        Tensor q, k, v;
        if (kv is null && in_proj_weight is not null)
        {
            var qkv = p.Linear(x, in_proj_weight, in_proj_bias).chunk(3, -1); // 3 × (B, L, W)
            (q, k, v) = (qkv[0], qkv[1], qkv[2]);
        }
        else
        {
            var src = kv ?? x;
            var bias = p.Cast(in_proj_bias).chunk(3);
            var (wq, wk, wv) = in_proj_weight is not null
                ? SplitRows(p.Cast(in_proj_weight), w)
                : (p.Cast(q_proj_weight!), p.Cast(k_proj_weight!), p.Cast(v_proj_weight!));
            q = p.Linear(x, wq, bias[0]);
            k = p.Linear(src, wk, bias[1]);
            v = p.Linear(src, wv, bias[2]);
        }
        // (B, L, W) -> (B, heads, L, head_dim); lengths spelled out so that an empty batch keeps its shape
        long lq = x.shape[1], lk = (kv ?? x).shape[1];
        q = q.view(b, lq, _heads, w / _heads).transpose(1, 2);
        k = k.view(b, lk, _heads, w / _heads).transpose(1, 2);
        v = v.view(b, lk, _heads, w / _heads).transpose(1, 2);
        var (qa, ka, va, ma) = p.ForAttention(q, k, v, mask, x.dtype);
        var o = nn.functional.scaled_dot_product_attention(qa, ka, va, ma, 0.0, causal);
        return p.Linear(o.transpose(1, 2).reshape(b, lq, w), out_proj.weight!, out_proj.bias);
    }

    // [Wq; Wk; Wv] (3W, W) → its three (W, W) row blocks.
    private static (Tensor, Tensor, Tensor) SplitRows(Tensor w3, long w) =>
        (w3[..(int)w], w3[(int)w..(int)(2 * w)], w3[(int)(2 * w)..]);
}

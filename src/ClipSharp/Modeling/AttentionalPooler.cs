using ClipSharp.Modeling.Layers;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ClipSharp.Modeling;

/// <summary>
/// CoCa's attentional pooler: n learnable queries (width d_model) attend to the LayerNormed image tokens (width
/// context_dim). forward: (B, L, Wc) → (B, n_queries, d_model).
/// </summary>
public sealed class AttentionalPooler : nn.Module<Tensor, Tensor>
{
    public readonly Parameter query;
    public readonly Attention attn;
    public readonly LayerNorm ln_q;
    public readonly LayerNorm ln_k;

    public AttentionalPooler(int dModel, int contextDim, int heads, int queries, double eps) : base(nameof(AttentionalPooler))
    {
        query = new Parameter(torch.randn(queries, dModel));
        attn = new Attention(dModel, heads, contextDim, contextDim);
        ln_q = nn.LayerNorm(dModel, eps);
        ln_k = nn.LayerNorm(contextDim, eps);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        var k = ln_k.forward(x);
        var q = ln_q.forward(query).unsqueeze(0).expand(x.shape[0], -1, -1);
        return attn.forward(q, k).to(query.dtype);   // back in the stream dtype (under amp the projection ran in bf16)
    }
}

using ClipSharp.Core;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ClipSharp.Modeling.Layers;

/// <summary>
/// OpenCLIP's AttentionPool2d (state-dict names positional_embedding, q/k/v/c_proj): the feature map's HW positions plus
/// their mean as a first token, a learned positional embedding added to all HW + 1, and multi-head attention whose
/// output at the mean token, projected by c_proj, is the image feature. Only that one query row is computed: the
/// other rows of OpenCLIP's full self-attention are discarded there.
/// </summary>
public sealed class AttentionPool2d : nn.Module<Tensor, Tensor>
{
    public readonly Parameter positional_embedding;
    public readonly Linear q_proj, k_proj, v_proj, c_proj;
    private readonly int _heads;

    /// <summary>Attention heads.</summary>
    public int Heads => _heads;

    public AttentionPool2d(int spatialDim, int embedDim, int heads, int outputDim) : base(nameof(AttentionPool2d))
    {
        if (heads < 1 || embedDim % heads != 0) throw new ClipSharpException($"The attention pool's width {embedDim} does not split into {heads} heads.");
        _heads = heads;
        positional_embedding = new Parameter(torch.randn(spatialDim * spatialDim + 1, embedDim).div(Scalars.Of(Math.Sqrt(embedDim))));
        q_proj = nn.Linear(embedDim, embedDim);
        k_proj = nn.Linear(embedDim, embedDim);
        v_proj = nn.Linear(embedDim, embedDim);
        c_proj = nn.Linear(embedDim, outputDim);
        RegisterComponents();
    }

    /// <summary>x: (B, C, H, W) → (B, output_dim).</summary>
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        long b = x.shape[0], c = x.shape[1];
        var t = x.flatten(2).transpose(1, 2);                                        // (B, HW, C)
        t = torch.cat([t.mean([1], keepdim: true), t], 1);                           // (B, HW+1, C)
        if (t.shape[1] != positional_embedding.shape[0])
            throw new ClipSharpException($"The attention pool expects a {Math.Sqrt(positional_embedding.shape[0] - 1)}² feature map (image_size / 32), not {x.shape[2]}×{x.shape[3]}.");
        t = t.add(positional_embedding.to(t.dtype), Scalars.One);
        long n = t.shape[1], hd = c / _heads;
        var q = q_proj.forward(t.narrow(1, 0, 1)).view(b, 1, _heads, hd).transpose(1, 2);  // (B, h, 1, d)
        var k = k_proj.forward(t).view(b, n, _heads, hd).transpose(1, 2);                  // (B, h, N, d)
        var v = v_proj.forward(t).view(b, n, _heads, hd).transpose(1, 2);
        var o = nn.functional.scaled_dot_product_attention(q, k, v);                        // softmax(q kᵀ / √d) v
        return c_proj.forward(o.transpose(1, 2).reshape(b, c)).MoveToOuterDisposeScope();
    }
}

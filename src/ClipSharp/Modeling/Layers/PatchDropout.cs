using ClipSharp.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace ClipSharp.Modeling.Layers;

/// <summary>
/// FLIP patch dropout (arXiv 2212.00794), OpenCLIP's <c>PatchDropout(prob, exclude_first_token=True)</c>: in training
/// mode only, keep a random subset of the patch tokens after the positional embedding. The class token (first) is always
/// kept; num kept = max(1, int(num_patches · (1 - prob))); the kept patches are those with the largest of num_patches
/// standard-normal draws per image, in that draw's descending order (<c>randn(B, N).topk(k).indices</c>, on the CPU as
/// OpenCLIP draws it, so a seed gives the same subset on every device). Identity in eval mode. No parameters.
/// </summary>
public sealed class PatchDropout : nn.Module<Tensor, Tensor>
{
    /// <summary>The probability of dropping a patch, in [0, 1).</summary>
    public double Prob { get; }

    /// <summary>
    /// Where the draws come from; null = libtorch's global generator (OpenCLIP's behaviour). The trainer sets one it
    /// reseeds before every forward (seed, step, rank, micro-batch), so resumed runs draw the same subsets.
    /// </summary>
    public Generator? Generator { get; set; }

    public PatchDropout(double prob) : base(nameof(PatchDropout))
    {
        if (!(prob >= 0 && prob < 1)) throw new ClipSharpException($"patch_dropout must be in [0, 1); got {prob}.");
        Prob = prob;
    }

    /// <summary>The number of patches kept out of <paramref name="patches"/>.</summary>
    public static long Kept(long patches, double prob) => Math.Max(1, (long)(patches * (1 - prob)));

    /// <summary>x: (B, 1 + N, W), class token first → (B, 1 + Kept(N), W) in training, x in eval.</summary>
    public override Tensor forward(Tensor x)
    {
        if (!training || Prob == 0) return x;
        long b = x.shape[0], n = x.shape[1] - 1;
        var draws = randn([b, n], generator: Generator);                                  // (B, N), CPU
        var keep = draws.topk((int)Kept(n, Prob), -1).indexes.to(x.device);             // (B, k) patch indices
        var rows = Scalars.Arange(b, x.device).unsqueeze(1);                             // (B, 1)
        return torch.cat([x[.., ..1], x[.., 1..][rows, keep]], 1);
    }
}

using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ClipSharp.TestHost;

/// <summary>
/// A tiny CLIPS-shaped model for the distributed self-test: linear image and text projections to L2-normalised
/// embeddings, a learnable logit scale, and a linear "captioner" from the image embedding to (Q, V) logits.
/// </summary>
public sealed class DistSelfTestModel : nn.Module
{
    public const int In = 6, Embed = 5, Queries = 3, Vocab = 7;

#pragma warning disable IDE1006 // state-dict names
    private readonly Parameter image_proj;
    private readonly Parameter text_proj;
    private readonly Parameter decoder;
    private readonly Parameter logit_scale;
#pragma warning restore IDE1006

    /// <summary>Random weights from torch's global generator (seed it first).</summary>
    public DistSelfTestModel() : base("dist_selftest")
    {
        image_proj = nn.Parameter(torch.randn(In, Embed) * 0.5);
        text_proj = nn.Parameter(torch.randn(In, Embed) * 0.5);
        decoder = nn.Parameter(torch.randn(Embed, Queries * Vocab) * 0.5);
        logit_scale = nn.Parameter(torch.tensor(MathF.Log(1 / 0.07f)));
        RegisterComponents();
    }

    /// <summary>Image, web-caption and partial-caption inputs (B, In) → normalised features (B, Embed), scale, logits (B, Q, V).</summary>
    public (Tensor Image, Tensor Web, Tensor Partial, Tensor Scale, Tensor Logits) Forward(Tensor xi, Tensor xw, Tensor xp)
    {
        var image = nn.functional.normalize(xi.matmul(image_proj), dim: -1);
        var web = nn.functional.normalize(xw.matmul(text_proj), dim: -1);
        var partial = nn.functional.normalize(xp.matmul(text_proj), dim: -1);
        var logits = image.matmul(decoder).view(-1, Queries, Vocab);
        return (image, web, partial, logit_scale.exp(), logits);
    }

    /// <summary>One rank's batch from <paramref name="seed"/>: three (B, In) inputs and (B, Q) targets with 1..Q real tokens per row then pad 0.</summary>
    public static (Tensor Image, Tensor Web, Tensor Partial, Tensor Targets) Batch(long seed, int b)
    {
        var g = new Generator((ulong)seed);
        var xi = torch.randn([b, In], generator: g);
        var xw = torch.randn([b, In], generator: g);
        var xp = torch.randn([b, In], generator: g);
        var tokens = torch.randint(1, Vocab, [b, Queries], generator: g);
        var lengths = torch.randint(1, Queries + 1, [b, 1], generator: g);
        var keep = torch.arange(Queries).unsqueeze(0).lt(lengths);
        return (xi, xw, xp, tokens.where(keep, torch.zeros_like(tokens)));
    }
}

using ClipSharp.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace ClipSharp.Modeling.Generation;

/// <summary>
/// Caption token ids from the CLIPS captioner: one forward pass gives (B, Q, V) logits, query i predicting caption token
/// i+1 (the token after [bos]); a token is chosen per position (see <see cref="GenerationOptions"/> for why this is the
/// whole of "autoregressive" here); each row is cut before the first eos.
/// </summary>
public static class CaptionSampler
{
    /// <summary>
    /// images (B, 3, H, W) and web-caption ids (B, L) in the CLIPS layout (a row of an empty caption is allowed:
    /// [bos][eos][pad]…[CLS]) → captioner logits (B, Q, V). Runs in eval mode without gradients; caller owns the result.
    /// </summary>
    public static Tensor Logits(ClipsModel model, Tensor images, Tensor webIds)
    {
        if (images.shape[0] != webIds.shape[0])
            throw new ArgumentException($"images ({images.shape[0]}) and web ids ({webIds.shape[0]}) must have the same batch size.");
        using var _ = no_grad();
        var vision = model.EncodeImageFull(images);
        var text = model.EncodeTextFull(webIds);
        var webStates = text.States[.., ..^1];                                   // (B, L-1, Wt): [CLS] slot dropped
        return model.text_decoder.forward(vision.PatchStates, webStates);       // (B, Q, V)
    }

    /// <summary>
    /// Chooses one token per position of <paramref name="logits"/> (B, Q, V) and cuts each row before the first
    /// <paramref name="eosId"/>. Ids ≥ <paramref name="vocabLimit"/> (the embedding table is larger than the vocabulary
    /// file) and the <paramref name="suppress"/> ids (pad, bos, [CLS]: never targets) are never chosen.
    /// </summary>
    public static long[][] Choose(Tensor logits, GenerationOptions options, long eosId, long vocabLimit = long.MaxValue,
        IReadOnlyCollection<long>? suppress = null)
    {
        options.Validated();
        using var scope = NewDisposeScope();
        long b = logits.shape[0], q = logits.shape[1], v = logits.shape[2];
        if (options.MaxTokens > 0 && options.MaxTokens < q) { logits = logits[.., ..options.MaxTokens]; q = options.MaxTokens; }
        var x = logits.to(ScalarType.Float32).clone();                           // (B, Q, V)
        if (vocabLimit < v) x[.., .., (int)vocabLimit..] = double.NegativeInfinity;
        foreach (var id in suppress ?? []) if (id >= 0 && id < v && id != eosId) x[.., .., id] = double.NegativeInfinity;
        var chosen = options.Strategy switch
        {
            DecodingStrategy.Greedy => x.argmax(-1),
            DecodingStrategy.Sample => Sample(x, options),
            _ => throw new ArgumentOutOfRangeException(nameof(options)),
        };
        var ids = chosen.to(ScalarType.Int64).cpu().data<long>().ToArray();
        var rows = new long[b][];
        for (int i = 0; i < b; i++)
        {
            var row = ids.AsSpan(i * (int)q, (int)q);
            int end = row.IndexOf(eosId);
            rows[i] = (end < 0 ? row : row[..end]).ToArray();
        }
        return rows;
    }

    // Temperature, then top-k, then top-p, then an inverse-CDF draw with uniforms from a seeded System.Random: the
    // draws are made on the CPU in (row, position) order, so results do not depend on the device or on libtorch's RNG.
    private static Tensor Sample(Tensor x, GenerationOptions o)
    {
        long b = x.shape[0], q = x.shape[1], v = x.shape[2];
        using var temperature = o.Temperature.ToScalar();
        x = x.div(temperature);
        if (o.TopK > 0 && o.TopK < v)
        {
            var kth = x.topk(o.TopK, dim: -1).values[.., .., ^1..];               // (B, Q, 1) k-th largest
            x = x.masked_fill(x.lt(kth), Scalars.NegativeInfinity);
        }
        var probs = x.softmax(-1);
        if (o.TopP < 1)
        {
            var (sorted, order) = probs.sort(-1, descending: true);
            // drop a token when the mass strictly before it already reaches p; the top token always stays
            var before = sorted.cumsum(-1) - sorted;
            using var topP = o.TopP.ToScalar();
            var dropSorted = before.ge(topP);
            var drop = torch.zeros_like(dropSorted).scatter(-1, order, dropSorted);
            probs = probs.masked_fill(drop, Scalars.Of(0L));
        }
        var cdf = probs.cumsum(-1);                                              // (B, Q, V), last = total mass
        var rng = new Random(unchecked((int)(o.Seed ^ (o.Seed >> 32))));
        var u = new float[b * q];
        for (int i = 0; i < u.Length; i++) u[i] = (float)rng.NextDouble();
        var target = torch.tensor(u, [b, q, 1], device: x.device) * cdf[.., .., ^1..];
        var idx = torch.searchsorted(cdf.contiguous(), target.contiguous(), right: true).squeeze(-1);
        idx = idx.clamp_max(Scalars.Of(v - 1));
        // a zero-probability id can only be hit through float round-off at the top end: fall back to the argmax there
        var p = probs.gather(-1, idx.unsqueeze(-1)).squeeze(-1);
        return torch.where(p.gt(Scalars.Of(0L)), idx, probs.argmax(-1));
    }
}

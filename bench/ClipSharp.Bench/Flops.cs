using ClipSharp.Modeling;

namespace ClipSharp.Bench;

/// <summary>
/// Analytic FLOP counts (1 multiply-add = 2 FLOPs) of the matmul-shaped work of a forward pass; elementwise ops,
/// norms, softmax and the optimizer are left out (they are bandwidth-bound and small next to the matmuls).
/// A training step is counted as 3× its forward (backward = 2× forward: a gradient for the input and one for the
/// weights per matmul), the usual convention (Kaplan et al. 2020; PaLM appendix B); with gradient checkpointing the
/// blocks' forward runs once more (recomputed in the backward), which is not counted: its GFLOP/s is useful work.
/// Counted is the work ClipSharp executes: where EncodeImage/EncodeText take the pooled route, the last block runs
/// for the pooled token only (<see cref="PooledBlock"/>), and a causal text tower on a cut sequence is counted at the
/// positions it keeps. OpenCLIP executes the full forward; its FLOPs are the same with every block full.
/// </summary>
public static class Flops
{
    /// <summary>One pre-LN block on a length-<paramref name="l"/> sequence: qkv 2·L·W·3W, scores and A·V 2·2·L²·W,
    /// out-proj 2·L·W², MLP 2·2·L·W·H.</summary>
    public static double Block(long l, long w, long hidden) =>
        2.0 * l * w * 3 * w + 4.0 * l * l * w + 2.0 * l * w * w + 4.0 * l * w * hidden;

    /// <summary>A block read at one position only (Transformer.ForwardAt): K and V for all L tokens 2·L·W·2W, the query
    /// 2·W², one score row and A·V 2·2·L·W, out-proj 2·W², MLP 2·2·W·H.</summary>
    public static double PooledBlock(long l, long w, long hidden) =>
        2.0 * l * w * 2 * w + 2.0 * w * w + 4.0 * l * w + 2.0 * w * w + 4.0 * w * hidden;

    /// <summary>Vision tower forward per image: patch conv, blocks on grid²+1 tokens (the last one pooled-only when
    /// <paramref name="pooledOnly"/> and the tower pools its class token), projection. In <paramref name="training"/>
    /// the blocks run on the patches patch dropout keeps (+ the class token).</summary>
    public static double Vision(VisionConfig v, int embedDim, bool pooledOnly = false, bool training = false)
    {
        long np = (long)v.GridSize * v.GridSize, w = v.Width, hidden = (long)(v.Width * v.MlpRatio);
        bool pooled = pooledOnly && v.Layers > 0 && v.Pool == VisionPool.Token && !v.AttentionalPool;
        return 2.0 * np * 3 * v.PatchSize * v.PatchSize * w
               + Blocks(v.Layers, pooled, Patches(v, training) + 1, w, hidden)
               + 2.0 * w * embedDim;
    }

    /// <summary>The patch tokens after patch dropout (all of them in eval or without patch dropout).</summary>
    public static long Patches(VisionConfig v, bool training)
    {
        long np = (long)v.GridSize * v.GridSize;
        return training && v.PatchDropout > 0 ? ClipSharp.Modeling.Layers.PatchDropout.Kept(np, v.PatchDropout) : np;
    }

    /// <summary>Text tower forward per caption of <paramref name="tokens"/> tokens: blocks (the last one pooled-only
    /// when <paramref name="pooledOnly"/> and the tower takes that route) and projection.</summary>
    public static double Text(TextConfig t, int embedDim, int tokens, bool pooledOnly = false)
    {
        long w = t.Width, hidden = (long)(t.Width * t.MlpRatio);
        bool pooled = pooledOnly && t.Layers > 0 && !t.EmbedCls && !TextMasks.NeedsExplicitMask(t) && t.Pool != TextPool.None;
        return Blocks(t.Layers, pooled, tokens, w, hidden) + (t.HasProjection ? 2.0 * w * embedDim : 0);
    }

    private static double Blocks(int layers, bool lastPooled, long l, long w, long hidden) =>
        lastPooled ? (layers - 1) * Block(l, w, hidden) + PooledBlock(l, w, hidden) : layers * Block(l, w, hidden);

    /// <summary>The CLIPS captioner per training sample: projections of the (kept) patch and web states, blocks over
    /// [patches; web states; queries], vocabulary head on the queries.</summary>
    public static double Decoder(ModelConfig m, int webTokens)
    {
        var d = m.Decoder!;
        long np = Patches(m.Vision, training: true), lw = webTokens - 1, q = d.NumLearnableTokens;
        long w = d.Width, hidden = (long)(d.Width * d.MlpRatio);
        return 2.0 * np * m.Vision.Width * w + 2.0 * lw * m.Text.Width * w
               + d.Layers * Block(np + lw + q, w, hidden)
               + 2.0 * q * w * m.Text.VocabSize;
    }

    /// <summary>B×B similarity logits of one InfoNCE problem.</summary>
    public static double Logits(long batch, int embedDim) => 2.0 * batch * batch * embedDim;

    /// <summary>CLIP train step on full-length captions: 3 × (pooled vision + pooled text + logits).</summary>
    public static double ClipTrainStep(ModelConfig m, int batch) =>
        3 * (batch * (Vision(m.Vision, m.EmbedDim, true, training: true) + Text(m.Text, m.EmbedDim, m.Text.ContextLength, true)) + Logits(batch, m.EmbedDim));

    /// <summary>CLIPS train step: 3 × (vision + web text + partial text + captioner + two logit matrices).</summary>
    public static double ClipsTrainStep(ModelConfig m, int batch, int webTokens, int partialTokens) =>
        3 * (batch * (Vision(m.Vision, m.EmbedDim, training: true) + Text(m.Text, m.EmbedDim, webTokens) + Text(m.Text, m.EmbedDim, partialTokens)
                      + Decoder(m, webTokens)) + 2 * Logits(batch, m.EmbedDim));
}

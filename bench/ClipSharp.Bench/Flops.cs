using ClipSharp.Modeling;

namespace ClipSharp.Bench;

/// <summary>
/// Analytic FLOP counts (1 multiply-add = 2 FLOPs) of the matmul-shaped work of a forward pass; elementwise ops,
/// norms, softmax and the optimizer are left out (they are bandwidth-bound and small next to the matmuls).
/// A training step is counted as 3× its forward (backward = 2× forward: a gradient for the input and one for the
/// weights per matmul), the usual convention (Kaplan et al. 2020; PaLM appendix B).
/// </summary>
public static class Flops
{
    /// <summary>One pre-LN block on a length-<paramref name="l"/> sequence: qkv 2·L·W·3W, scores and A·V 2·2·L²·W,
    /// out-proj 2·L·W², MLP 2·2·L·W·H.</summary>
    public static double Block(long l, long w, long hidden) =>
        2.0 * l * w * 3 * w + 4.0 * l * l * w + 2.0 * l * w * w + 4.0 * l * w * hidden;

    /// <summary>Vision tower forward per image: patch conv, blocks on grid²+1 tokens, projection.</summary>
    public static double Vision(VisionConfig v, int embedDim)
    {
        long np = (long)v.GridSize * v.GridSize, w = v.Width, hidden = (long)(v.Width * v.MlpRatio);
        return 2.0 * np * 3 * v.PatchSize * v.PatchSize * w
               + v.Layers * Block(np + 1, w, hidden)
               + 2.0 * w * embedDim;
    }

    /// <summary>Text tower forward per caption of <paramref name="tokens"/> tokens: blocks and projection.</summary>
    public static double Text(TextConfig t, int embedDim, int tokens)
    {
        long w = t.Width, hidden = (long)(t.Width * t.MlpRatio);
        return t.Layers * Block(tokens, w, hidden) + (t.HasProjection ? 2.0 * w * embedDim : 0);
    }

    /// <summary>The CLIPS captioner per sample: projections of the patch and web states, blocks over
    /// [patches; web states; queries], vocabulary head on the queries.</summary>
    public static double Decoder(ModelConfig m, int webTokens)
    {
        var d = m.Decoder!;
        long np = (long)m.Vision.GridSize * m.Vision.GridSize, lw = webTokens - 1, q = d.NumLearnableTokens;
        long w = d.Width, hidden = (long)(d.Width * d.MlpRatio);
        return 2.0 * np * m.Vision.Width * w + 2.0 * lw * m.Text.Width * w
               + d.Layers * Block(np + lw + q, w, hidden)
               + 2.0 * q * w * m.Text.VocabSize;
    }

    /// <summary>B×B similarity logits of one InfoNCE problem.</summary>
    public static double Logits(long batch, int embedDim) => 2.0 * batch * batch * embedDim;

    /// <summary>CLIP train step: 3 × (vision + text + logits).</summary>
    public static double ClipTrainStep(ModelConfig m, int batch) =>
        3 * (batch * (Vision(m.Vision, m.EmbedDim) + Text(m.Text, m.EmbedDim, m.Text.ContextLength)) + Logits(batch, m.EmbedDim));

    /// <summary>CLIPS train step: 3 × (vision + web text + partial text + captioner + two logit matrices).</summary>
    public static double ClipsTrainStep(ModelConfig m, int batch, int webTokens, int partialTokens) =>
        3 * (batch * (Vision(m.Vision, m.EmbedDim) + Text(m.Text, m.EmbedDim, webTokens) + Text(m.Text, m.EmbedDim, partialTokens)
                      + Decoder(m, webTokens)) + 2 * Logits(batch, m.EmbedDim));
}

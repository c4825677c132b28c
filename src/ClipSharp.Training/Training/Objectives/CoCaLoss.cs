using ClipSharp.Core;
using static TorchSharp.torch;

namespace ClipSharp.Training.Objectives;

/// <summary>
/// OpenCLIP's CoCa objective: w_con · CLIP(I, T) + w_cap · CE(logits[:, :-1], ids[:, 1:]) with pad (0) ignored — the
/// decoder is teacher-forced on the same caption the text tower saw and predicts its next token.
/// </summary>
public sealed record CoCaLoss(double ContrastiveWeight = 1.0, double CaptionWeight = 2.0)
{
    public (Tensor Contrastive, Tensor CaptionWeighted, Tensor Total) Compute(Tensor image, Tensor text, Tensor scale, Tensor logits, Tensor ids)
    {
        var contrastive = ClipLoss.Compute(image, text, scale).mul(Scalars.Of(ContrastiveWeight));
        var caption = CaptionLoss.Compute(logits[.., ..^1], ids[.., 1..]).mul(Scalars.Of(CaptionWeight));
        return (contrastive, caption, contrastive.add(caption, Scalars.One));
    }
}

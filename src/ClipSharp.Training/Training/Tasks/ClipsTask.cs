using ClipSharp.Distributed;
using ClipSharp.Training.Distributed;
using ClipSharp.Core;
using ClipSharp.Data;
using ClipSharp.Modeling;
using ClipSharp.Text;
using ClipSharp.Training.Objectives;
using static TorchSharp.torch;

namespace ClipSharp.Training.Tasks;

/// <summary>
/// CLIPS (spec Appendix A): the text tower sees the web caption and a partial synthetic caption; the captioner,
/// conditioned on the image patches and the web caption's token states, predicts the full synthetic caption.
///   loss = w_con · ½[CLIP(I, T_web) + CLIP(I, T_partial)] + w_cap · CE(captioner, full synthetic caption)
/// </summary>
public sealed class ClipsTask(TokenReductionOptions reduction, ClipsLoss loss) : ITrainingTask
{
    public string Name => "clips";

    /// <summary>web + partial rows for the encoder, full-caption targets of the decoder's output length.</summary>
    public CaptionViewOptions Views(ITextTokenizer tokenizer, ModelConfig model) => new()
    {
        Tokenizer = tokenizer,
        Web = true,
        Partial = reduction,
        TargetLength = (model.Decoder ?? throw new ClipSharpException(
            $"Task clips needs a model with a decoder_cfg block; model '{model.Name}' has none.")).OutputLength,
    };

    public IReadOnlyDictionary<string, Tensor> Features(ContrastiveModel model, StepBatch batch)
    {
        var clips = model as ClipsModel ?? throw new ClipSharpException($"Task clips needs a CLIPS model (decoder_cfg), got {model.GetType().Name}.");
        var f = clips.Forward(batch.Images, batch.Texts[TextView.Web], batch.Texts[TextView.Partial]);
        return new Dictionary<string, Tensor>
        {
            ["image"] = f.ImageFeatures, ["web"] = f.WebFeatures, ["partial"] = f.PartialFeatures, ["caption_logits"] = f.CaptionLogits,
        };
    }

    public LossParts Loss(ContrastiveModel model, IReadOnlyDictionary<string, Tensor> f, StepBatch batch, ICollectives dist)
    {
        var p = DistributedClipsLoss.Compute(loss, f["image"], f["web"], f["partial"], model.logit_scale.exp(), f["caption_logits"], batch.Texts[TextView.Targets], dist);
        return new LossParts(p.Total, new Dictionary<string, Tensor>
        {
            ["clip_web"] = p.ClipWeb, ["clip_partial"] = p.ClipPartial, ["contrastive"] = p.Contrastive, ["caption"] = p.Caption,
        });
    }
}

using ClipSharp.Distributed;
using ClipSharp.Core;
using ClipSharp.Data;
using ClipSharp.Modeling;
using ClipSharp.Text;
using ClipSharp.Training.Objectives;
using static TorchSharp.torch;

namespace ClipSharp.Training.Tasks;

/// <summary>
/// OpenCLIP's CoCa: CLIP on one caption plus a teacher-forced captioner predicting the next token of the same caption.
///   loss = w_con · CLIP(I, T) + w_cap · CE(logits[:, :-1], ids[:, 1:])
/// </summary>
public sealed class CoCaTask(CaptionChoice caption, TokenReductionOptions reduction, double mixWebProbability, CoCaLoss loss) : ITrainingTask
{
    readonly ContrastiveTask _views = new(false, caption, reduction, mixWebProbability);

    public string Name => "coca";

    public CaptionViewOptions Views(ITextTokenizer tokenizer, ModelConfig model) => _views.Views(tokenizer, model);

    public IReadOnlyDictionary<string, Tensor> Features(ContrastiveModel model, StepBatch batch)
    {
        var coca = model as CoCaModel ?? throw new ClipSharpException($"Task coca needs a CoCa model (multimodal_cfg), got {model.GetType().Name}.");
        var f = coca.Forward(batch.Images, batch.Texts[ContrastiveTask.ViewOf(caption)]);
        return new Dictionary<string, Tensor> { ["image"] = f.ImageFeatures, ["text"] = f.TextFeatures, ["caption_logits"] = f.Logits };
    }

    public LossParts Loss(ContrastiveModel model, IReadOnlyDictionary<string, Tensor> f, StepBatch batch, ICollectives dist)
    {
        if (dist.WorldSize > 1) throw new ClipSharpException("Task coca does not run on several ranks yet; use one process, or task clips / clip.");
        var (con, cap, total) = loss.Compute(f["image"], f["text"], model.logit_scale.exp(), f["caption_logits"], batch.Texts[ContrastiveTask.ViewOf(caption)]);
        return new LossParts(total, new Dictionary<string, Tensor> { ["contrastive"] = con, ["caption"] = cap });
    }
}

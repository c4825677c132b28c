using ClipSharp.Distributed;
using ClipSharp.Training.Distributed;
using ClipSharp.Core;
using ClipSharp.Data;
using ClipSharp.Modeling;
using ClipSharp.Text;
using ClipSharp.Training.Objectives;
using static TorchSharp.torch;

namespace ClipSharp.Training.Tasks;

/// <summary>Which caption a single-caption contrastive task trains on (the paper's baselines).</summary>
public enum CaptionChoice { Web, Synthetic, Partial, Mix }

/// <summary>
/// Plain CLIP (InfoNCE) or SigLIP (sigmoid) on one caption per image: the web caption, the full synthetic caption, the
/// partial (token-reduced) synthetic caption, or a mixture (web with probability p, else partial: the 80/20 baselines).
/// </summary>
public sealed class ContrastiveTask(bool sigmoid, CaptionChoice caption, TokenReductionOptions reduction, double mixWebProbability) : ITrainingTask
{
    public string Name => sigmoid ? "siglip" : "clip";

    /// <summary>The loader view holding the chosen caption's ids.</summary>
    public static TextView ViewOf(CaptionChoice c) => c switch
    {
        CaptionChoice.Web => TextView.Web,
        CaptionChoice.Synthetic => TextView.Synthetic,
        CaptionChoice.Partial => TextView.Partial,
        CaptionChoice.Mix => TextView.Mix,
        _ => throw new ArgumentOutOfRangeException(nameof(c)),
    };

    public CaptionViewOptions Views(ITextTokenizer tokenizer, ModelConfig model) => new()
    {
        Tokenizer = tokenizer,
        Web = caption == CaptionChoice.Web,
        SyntheticFull = caption == CaptionChoice.Synthetic,
        Partial = caption is CaptionChoice.Partial or CaptionChoice.Mix ? reduction : null,
        MixWebProbability = caption == CaptionChoice.Mix ? mixWebProbability : null,
    };

    public IReadOnlyDictionary<string, Tensor> Features(ContrastiveModel model, StepBatch batch) =>
        new Dictionary<string, Tensor>
        {
            ["image"] = model.EncodeImage(batch.Images, normalize: true),
            ["text"] = model.EncodeText(batch.Texts[ViewOf(caption)], normalize: true),
        };

    public LossParts Loss(ContrastiveModel model, IReadOnlyDictionary<string, Tensor> f, StepBatch batch, ICollectives dist)
    {
        if (!sigmoid) return new LossParts(DistributedClipLoss.Compute(f["image"], f["text"], model.logit_scale.exp(), dist), new Dictionary<string, Tensor>());
        if (dist.WorldSize > 1) throw new ClipSharpException("Task siglip does not run on several ranks yet (its chunked sigmoid exchange is not implemented); use one process or task clip.");
        var bias = model.logit_bias ?? throw new ClipSharpException(
            $"Task siglip needs a model with a logit bias (init_logit_bias in the model config); '{model.Config.Name}' has none.");
        return new LossParts(SigLipLoss.Compute(f["image"], f["text"], model.logit_scale.exp(), bias), new Dictionary<string, Tensor>());
    }
}

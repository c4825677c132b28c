using ClipSharp.Data;
using ClipSharp.Modeling;
using ClipSharp.Text;
using static TorchSharp.torch;

using ClipSharp.Distributed;

namespace ClipSharp.Training.Tasks;

/// <summary>The loss of one step: the scalar to minimise and its named parts (for logging).</summary>
public sealed record LossParts(Tensor Total, IReadOnlyDictionary<string, Tensor> Parts);

/// <summary>
/// A task = model + objective, the only thing that varies in the training loop. It names the token rows it needs
/// from the data loader, turns a (micro-)batch into per-sample features, and turns the features of the whole step's
/// batch into the loss. Splitting features from loss lets gradient accumulation cache features so that negatives span
/// the whole accumulated batch (OpenCLIP's accum_freq semantics), and lets distributed training gather them.
/// </summary>
public interface ITrainingTask
{
    /// <summary>clip, clips, coca or siglip.</summary>
    string Name { get; }

    /// <summary>What the loader must produce per sample (the token views <see cref="Features"/> and <see cref="Loss"/> read).</summary>
    CaptionViewOptions Views(ITextTokenizer tokenizer, ModelConfig model);

    /// <summary>
    /// Per-sample outputs of <paramref name="model"/> on one micro-batch: every tensor has the batch as its first
    /// dimension, so micro-batch outputs concatenate along dim 0. <paramref name="batch"/> is on the model's device.
    /// </summary>
    IReadOnlyDictionary<string, Tensor> Features(ContrastiveModel model, StepBatch batch);

    /// <summary>
    /// The loss over the features of the whole step's batch (and its token rows, e.g. caption targets). With several
    /// ranks (<paramref name="dist"/>), contrastive terms use OpenCLIP's local loss over features gathered with
    /// gradient, so rank-averaged gradients equal the single-process gradients of the global batch.
    /// </summary>
    LossParts Loss(ContrastiveModel model, IReadOnlyDictionary<string, Tensor> features, StepBatch batch, ICollectives dist);
}

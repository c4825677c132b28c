using ClipSharp.Data;
using static TorchSharp.torch;

namespace ClipSharp.Training.Tasks;

/// <summary>One (micro-)batch on the model's device, as a task sees it: images (B, 3, H, W) and the token views it asked for.</summary>
public sealed record StepBatch(Tensor Images, TextViews<Tensor> Texts)
{
    /// <summary>A loader batch copied to <paramref name="device"/> (owned by the current dispose scope).</summary>
    public static StepBatch From(TrainBatch b, Device device) => new(b.Images.to(device).clone(), b.Texts.Select(t => t.to(device).clone()));

    /// <summary>Micro-batches concatenated along the batch dimension (the step's whole batch).</summary>
    public static StepBatch Concat(IReadOnlyList<StepBatch> parts) =>
        new(cat(parts.Select(p => p.Images).ToList(), 0), TextViews<Tensor>.Combine(parts.Select(p => p.Texts).ToList(), t => cat(t.ToList(), 0)));
}

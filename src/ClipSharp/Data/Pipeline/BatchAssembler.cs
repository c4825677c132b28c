using ClipSharp.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace ClipSharp.Data.Pipeline;

/// <summary>Stacks processed samples into a <see cref="TrainBatch"/> (tensors detached from any dispose scope).</summary>
internal static class BatchAssembler
{
    public static TrainBatch Build(IReadOnlyList<ProcessedSample> samples, PreprocessShape shape, LoaderPosition position)
    {
        int n = samples.Count, per = 3 * shape.Height * shape.Width;
        var pixels = new float[(long)n * per];
        for (int i = 0; i < n; i++) samples[i].Pixels.CopyTo(pixels, (long)i * per);
        var images = torch.tensor(pixels, [n, 3, shape.Height, shape.Width], ScalarType.Float32).DetachFromDisposeScope();
        var texts = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var view in samples[0].Rows.Keys)
            texts[view] = TokenRows.ToTensor(samples.Select(s => s.Rows[view]).ToList()).DetachFromDisposeScope();
        return new TrainBatch(images, texts, samples.Select(s => s.Key).ToArray(), samples.Select(s => s.Origin).ToArray(), position);
    }
}

/// <summary>Output image size.</summary>
internal readonly record struct PreprocessShape(int Height, int Width);

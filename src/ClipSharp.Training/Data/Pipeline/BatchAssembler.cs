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
        var texts = TextViews<long[]>.Combine(samples.Select(s => s.Rows).ToList(), rows => TokenRows.ToTensor(rows).DetachFromDisposeScope());
        return new TrainBatch(images, texts, samples.Select(s => s.Key).ToArray(), samples.Select(s => s.Origin).ToArray(), position);
    }
}

/// <summary>Output image size.</summary>
internal readonly record struct PreprocessShape(int Height, int Width);

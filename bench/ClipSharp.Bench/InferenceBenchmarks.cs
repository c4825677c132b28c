using ClipSharp.Modeling;
using TorchSharp;
using static TorchSharp.torch;

namespace ClipSharp.Bench;

/// <summary>Inference throughput (eval mode, no autograd) of the normalized image / text embeddings on synthetic inputs.</summary>
public static class InferenceBenchmarks
{
    /// <summary>encode_image at <paramref name="batch"/> images of the model's size.</summary>
    public static BenchResult EncodeImage(string name, string description, ModelConfig config, int batch, BenchOptions o)
    {
        torch.manual_seed(0);
        var model = ModelFactory.Create(config);
        model.eval();
        var images = torch.randn(batch, 3, config.Vision.ImageSize, config.Vision.ImageSize);
        var times = Timing.Measure(() =>
        {
            using var scope = torch.NewDisposeScope();
            using var _ = torch.no_grad();
            model.EncodeImage(images, normalize: true);
        }, o.Warmup, o.Repeats + 1);
        return Result(name, description, batch, times, batch * Flops.Vision(config.Vision, config.EmbedDim), "images/s");
    }

    /// <summary>encode_text at <paramref name="batch"/> captions of the model's context length.</summary>
    public static BenchResult EncodeText(string name, string description, ModelConfig config, int batch, BenchOptions o)
    {
        torch.manual_seed(0);
        var model = ModelFactory.Create(config);
        model.eval();
        var ids = torch.randint(1, config.Text.VocabSize, [batch, config.Text.ContextLength], dtype: ScalarType.Int64);
        var times = Timing.Measure(() =>
        {
            using var scope = torch.NewDisposeScope();
            using var _ = torch.no_grad();
            model.EncodeText(ids, normalize: true);
        }, o.Warmup, o.Repeats + 1);
        return Result(name, description, batch, times,
            batch * Flops.Text(config.Text, config.EmbedDim, config.Text.ContextLength), "texts/s");
    }

    private static BenchResult Result(string name, string description, int batch, double[] times, double flops, string unit)
    {
        double s = Timing.Median(times);
        return new BenchResult
        {
            Name = name,
            Description = description,
            Value = batch / s,
            Unit = unit,
            RepeatSeconds = times,
            MedianSeconds = s,
            FlopsPerStep = flops,
            AchievedGflops = flops / s / 1e9,
            PeakRssMiB = ProcessMemory.PeakRssMiB(),
            Details = new Dictionary<string, string> { ["batch"] = batch.ToString(), ["threads"] = torch.get_num_threads().ToString() },
        };
    }
}

using ClipSharp.Core;
using ClipSharp.Modeling;
using ClipSharp.Modeling.Layers;
using ClipSharp.Scenes;
using ClipSharp.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace ClipSharp.Bench;

/// <summary>Inference throughput (eval mode, no autograd) of the normalized image / text embeddings on synthetic inputs.</summary>
public static class InferenceBenchmarks
{
    /// <summary>encode_image at <paramref name="batch"/> images of the model's size.</summary>
    public static BenchResult EncodeImage(string name, string description, ModelConfig config, int batch, BenchOptions o, bool bf16 = false,
        ScalarType? attention = null)
    {
        torch.manual_seed(0);
        var model = ModelFactory.Create(config);
        model.eval();
        using var policy = bf16 ? PrecisionPolicy.InferenceBf16(attention) : null;
        PrecisionPolicies.Apply(model, policy ?? PrecisionPolicy.Native);
        var images = torch.randn(batch, 3, config.Vision.ImageSize, config.Vision.ImageSize);
        var times = Timing.Measure(() =>
        {
            using var scope = torch.NewDisposeScope();
            using var _ = torch.no_grad();
            model.EncodeImage(images, normalize: true);
        }, o.Warmup, o.Repeats + 1);
        var r = Result(name, description, batch, times, batch * Flops.Vision(config.Vision, config.EmbedDim, pooledOnly: true), "images/s");
        r.Details["precision"] = TrainBenchmarks.Describe(policy);
        return r;
    }

    /// <summary>
    /// encode_text at <paramref name="batch"/> rows of the model's context length. fullLength: random ids with the EOT
    /// (highest id) in the last slot of every row, so every position counts: the compute OpenCLIP spends on any input.
    /// Otherwise the built-in world's web captions (word-level WordPiece ids standing in for BPE ids, one id per word
    /// like most English words in CLIP's BPE), framed SOT … EOT and zero-padded to the context as OpenCLIP's tokenizer
    /// does: ClipSharp then cuts the causal tower after the longest caption. FLOPs: what ClipSharp executes (Flops);
    /// the reference's full-context count is in the details.
    /// </summary>
    public static BenchResult EncodeText(string name, string description, ModelConfig config, int batch, bool fullLength, BenchOptions o, bool bf16 = false)
    {
        torch.manual_seed(0);
        var model = ModelFactory.Create(config);
        model.eval();
        using var policy = bf16 ? PrecisionPolicy.InferenceBf16() : null;
        PrecisionPolicies.Apply(model, policy ?? PrecisionPolicy.Native);
        int ctx = config.Text.ContextLength, vocab = config.Text.VocabSize;
        var ids = fullLength ? FullLengthIds(batch, ctx, vocab) : WorldCaptionIds(batch, ctx, vocab);
        var times = Timing.Measure(() =>
        {
            using var scope = torch.NewDisposeScope();
            using var _ = torch.no_grad();
            model.EncodeText(ids, normalize: true);
        }, o.Warmup, o.Repeats + 1);
        var used = ids.argmax(-1).add(Scalars.One, Scalars.One);
        int kept = (int)used.max().item<long>();                           // the causal tower's cut
        var r = Result(name, description, batch, times, batch * Flops.Text(config.Text, config.EmbedDim, kept, pooledOnly: true), "texts/s");
        r.Details["reference_gflops_per_batch"] = (batch * Flops.Text(config.Text, config.EmbedDim, ctx) / 1e9).ToString("F1");
        r.Details["precision"] = TrainBenchmarks.Describe(policy);
        r.Details["positions_used_max"] = used.max().item<long>().ToString();
        r.Details["positions_used_mean"] = used.to(ScalarType.Float64).mean().item<double>().ToString("F1");
        return r;
    }

    internal static Tensor FullLengthIds(int batch, int ctx, int vocab)
    {
        var ids = torch.randint(1, vocab - 1, [batch, ctx], dtype: ScalarType.Int64);
        ids[.., ctx - 1] = torch.tensor((long)vocab - 1);
        return ids;
    }

    private static Tensor WorldCaptionIds(int batch, int ctx, int vocab)
    {
        var world = new WorldSamples(new WorldConfig(), seed: 42);
        var tokenizer = new ClipsWordPieceTokenizer(new WordPieceVocabulary(WorldVocabulary.Tokens), contextLength: ctx);
        var ids = torch.zeros(batch, ctx, dtype: ScalarType.Int64);
        for (int i = 0; i < batch; i++)
        {
            var words = tokenizer.ContentIds(world.Train(i).Web.Text).Take(ctx - 2).Select(t => (long)t);
            long[] row = [vocab - 2, .. words, vocab - 1];                    // SOT … EOT, then zeros
            ids[i, ..row.Length] = torch.tensor(row);
        }
        return ids;
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

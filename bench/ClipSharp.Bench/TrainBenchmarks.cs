using ClipSharp.Modeling;
using ClipSharp.Modeling.Layers;
using ClipSharp.Training.Objectives;
using ClipSharp.Training.Optim;
using TorchSharp;
using static TorchSharp.torch;

namespace ClipSharp.Bench;

/// <summary>
/// Train-step throughput: forward + backward + AdamW (OpenCLIP parameter groups, lr 1e-3, wd 0.1, betas 0.9/0.98,
/// eps 1e-6) + logit-scale clamp, in fp32 or under a precision policy (amp_bf16: fp32 master weights, bf16 matmuls), on fixed synthetic inputs (random pixels, random token ids), so data loading
/// is excluded. Samples/s = batch / median step time.
/// </summary>
public static class TrainBenchmarks
{
    /// <summary>The memory savers a train row runs with: gradient checkpointing of every residual block and the
    /// vision tower's patch dropout (replacing the config's, as the recipe's force_patch_dropout does).</summary>
    public sealed record Savers(bool GradCheckpointing = false, double? PatchDropout = null)
    {
        public static Savers None { get; } = new();

        public ModelConfig Apply(ModelConfig c) => PatchDropout is { } p ? c with { Vision = c.Vision with { PatchDropout = p } } : c;

        public IEnumerable<KeyValuePair<string, string>> Details(ModelConfig applied) =>
        [
            KeyValuePair.Create("grad_checkpointing", GradCheckpointing.ToString()),
            KeyValuePair.Create("patch_dropout", applied.Vision.PatchDropout.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        ];
    }

    /// <summary>CLIP (InfoNCE) train step of <paramref name="config"/> at <paramref name="batch"/>.</summary>
    public static BenchResult Clip(string name, string description, ModelConfig config, int batch, BenchOptions o, Savers? savers = null,
        PrecisionPolicy? precision = null)
    {
        savers ??= Savers.None;
        config = savers.Apply(config);
        torch.manual_seed(0);
        var model = ModelFactory.Create(config);
        model.train();
        PrecisionPolicies.Apply(model, precision ?? PrecisionPolicy.Native);
        model.SetGradCheckpointing(savers.GradCheckpointing);
        using var opt = ParameterGroups.AdamW(model, 1e-3, 0.9, 0.98, 1e-6, 0.1);
        var images = torch.randn(batch, 3, config.Vision.ImageSize, config.Vision.ImageSize);
        var ids = InferenceBenchmarks.FullLengthIds(batch, config.Text.ContextLength, config.Text.VocabSize); // every position counts
        double lastLoss = double.NaN;
        var phases = new List<PhaseLaps>();
        void Step()
        {
            using var scope = torch.NewDisposeScope();
            var laps = new PhaseLaps();
            opt.zero_grad();
            var img = model.EncodeImage(images, normalize: true);
            var txt = model.EncodeText(ids, normalize: true);
            var loss = ClipLoss.Compute(img, txt, model.logit_scale.exp());
            laps.Lap("forward");
            loss.backward();
            laps.Lap("backward");
            opt.step();
            ParameterGroups.ClampLogitScale(model.logit_scale);
            laps.Lap("optimizer");
            lastLoss = loss.item<float>();
            phases.Add(laps);
        }
        var times = Timing.Measure(Step, o.Warmup, o.Repeats, out var counters);
        var r = Result(name, description, batch, times, Flops.ClipTrainStep(config, batch), model, lastLoss, phases, o.Repeats, counters, precision);
        foreach (var (k, v) in savers.Details(config)) r.Details[k] = v;
        return r;
    }

    /// <summary>
    /// CLIPS train step (spec Appendix A, ClipsLoss: ½[CLIP(I, web) + CLIP(I, partial)] + 2·caption CE): the web
    /// caption at the model's context length, the partial synthetic caption at <paramref name="partialTokens"/>
    /// ([CLS] in the last slot, so a shorter row pools the same way), the captioner on the web states. The text
    /// tower runs once per caption kind so the two may differ in length; both variants use this same path.
    /// </summary>
    public static BenchResult Clips(string name, string description, ModelConfig config, int batch, int partialTokens, BenchOptions o, Savers? savers = null,
        PrecisionPolicy? precision = null)
    {
        savers ??= Savers.None;
        config = savers.Apply(config);
        torch.manual_seed(0);
        var model = (ClipsModel)ModelFactory.Create(config);
        model.train();
        PrecisionPolicies.Apply(model, precision ?? PrecisionPolicy.Native);
        model.SetGradCheckpointing(savers.GradCheckpointing);
        using var opt = ParameterGroups.AdamW(model, 1e-3, 0.9, 0.98, 1e-6, 0.1);
        var loss = new ClipsLoss();
        int ctx = config.Text.ContextLength, q = config.Decoder!.OutputLength;
        var images = torch.randn(batch, 3, config.Vision.ImageSize, config.Vision.ImageSize);
        var web = torch.randint(1, config.Text.VocabSize, [batch, ctx], dtype: ScalarType.Int64);
        var partial = torch.randint(1, config.Text.VocabSize, [batch, partialTokens], dtype: ScalarType.Int64);
        var targets = torch.randint(1, config.Text.VocabSize, [batch, q], dtype: ScalarType.Int64);
        double lastLoss = double.NaN;
        var phases = new List<PhaseLaps>();
        void Step()
        {
            using var scope = torch.NewDisposeScope();
            var laps = new PhaseLaps();
            opt.zero_grad();
            var vision = model.EncodeImageFull(images);
            var w = model.EncodeTextFull(web);
            var p = model.EncodeTextFull(partial);
            var logits = model.text_decoder.forward(vision.PatchStates, w.States[.., ..^1]);
            var parts = loss.Compute(
                nn.functional.normalize(vision.Pooled, dim: -1), nn.functional.normalize(w.Pooled, dim: -1),
                nn.functional.normalize(p.Pooled, dim: -1), model.logit_scale.exp(), logits, targets);
            laps.Lap("forward");
            parts.Total.backward();
            laps.Lap("backward");
            opt.step();
            ParameterGroups.ClampLogitScale(model.logit_scale);
            laps.Lap("optimizer");
            lastLoss = parts.Total.item<float>();
            phases.Add(laps);
        }
        var times = Timing.Measure(Step, o.Warmup, o.Repeats, out var counters);
        var r = Result(name, description, batch, times, Flops.ClipsTrainStep(config, batch, ctx, partialTokens), model, lastLoss, phases, o.Repeats, counters, precision);
        r.Details["web_tokens"] = ctx.ToString();
        r.Details["partial_tokens"] = partialTokens.ToString();
        foreach (var (k, v) in savers.Details(config)) r.Details[k] = v;
        return r;
    }

    private static BenchResult Result(string name, string description, int batch, double[] times, double flops, nn.Module model, double loss,
        List<PhaseLaps> phases, int repeats, (ProcessCounters Before, ProcessCounters After) counters, PrecisionPolicy? precision)
    {
        double s = Timing.Median(times);
        long parameters = model.parameters().Sum(p => p.numel());
        return new BenchResult
        {
            Name = name,
            Description = description,
            Value = batch / s,
            Unit = "samples/s",
            RepeatSeconds = times,
            MedianSeconds = s,
            FlopsPerStep = flops,
            AchievedGflops = flops / s / 1e9,
            PeakRssMiB = ProcessMemory.PeakRssMiB(),
            Details = new Dictionary<string, string>
            {
                ["batch"] = batch.ToString(),
                ["precision"] = Describe(precision),
                ["weight_cast_ms"] = WeightCastMs(model, precision),
                ["parameters"] = parameters.ToString(),
                ["last_loss"] = loss.ToString("G6"),
                ["threads"] = torch.get_num_threads().ToString(),
                ["malloc_tuned"] = (ClipSharp.Core.ProcessTuning.State?.MallocTuned ?? false).ToString(),
            }.Concat(PhaseLaps.Medians(phases.TakeLast(repeats).ToList()))
              .Concat(ProcessCounters.PerRepeat(counters.Before, counters.After, repeats)).ToDictionary(),
        };
    }

    /// <summary>"fp32", or the policy's name with its matmul and attention dtypes.</summary>
    internal static string Describe(PrecisionPolicy? p) => p is null || p.Matmul is null ? "fp32"
        : $"{p.Name} (matmul {p.Matmul}, attention {p.Attention?.ToString() ?? "Float32"})";

    /// <summary>Median ms to cast every matrix parameter once to the policy's matmul dtype (what amp pays per forward
    /// on top of fp32, autograd's cast of the gradient back aside); "" for fp32.</summary>
    private static string WeightCastMs(nn.Module model, PrecisionPolicy? p)
    {
        if (p?.Matmul is not { } dt) return "";
        var weights = model.parameters().Where(w => w.dim() >= 2).ToList();
        var times = Timing.Measure(() =>
        {
            using var scope = torch.NewDisposeScope();
            using var _ = torch.no_grad();
            foreach (var w in weights) w.to(dt);
        }, 1, 3);
        return (Timing.Median(times) * 1e3).ToString("F1");
    }
}

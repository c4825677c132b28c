using ClipSharp.Core;
using ClipSharp.Modeling;
using ClipSharp.Modeling.Layers;

namespace ClipSharp.Bench;

/// <summary>One named benchmark: whether it belongs to the quick subset, whether it trains (runs in its own child
/// process so its peak memory is its own), and how to run it.</summary>
public sealed record BenchSpec(string Name, string Description, bool InQuick, bool IsTraining, Func<BenchOptions, BenchResult> Run);

/// <summary>Every benchmark, in run order (the matmul ceiling first: the training figures are fractions of it).</summary>
public static class BenchCatalog
{
    public static IReadOnlyList<BenchSpec> All { get; } =
    [
        new("matmul-ceiling", "fp32 matmul ceiling, large square matrices", true, false, MatmulCeiling.Run),
        new("matmul-ceiling-bf16", "bf16 matmul ceiling, large square matrices", true, false, MatmulCeiling.RunBf16),
        new("attention-dtype", "scaled_dot_product_attention fwd+bwd, fp32 vs bf16, at the models' shapes", true, false, AttentionDtypeBenchmark.Run),
        new("train-vitb32-b32", "train step ViT-B-32 @224, batch 32", false, true,
            o => TrainBenchmarks.Clip("train-vitb32-b32", "train step ViT-B-32 @224, batch 32", Model("ViT-B-32"), 32, o)),
        new("train-vitb32-b32-bf16", "train step ViT-B-32 @224, batch 32, amp_bf16", false, true,
            o => TrainBenchmarks.Clip("train-vitb32-b32-bf16", "train step ViT-B-32 @224, batch 32, amp_bf16", Model("ViT-B-32"), 32, o, precision: PrecisionPolicy.AmpBf16())),
        new("train-vitb32-b32-bf16-attn16", "train step ViT-B-32 @224, batch 32, amp_bf16 with bf16 attention", false, true,
            o => TrainBenchmarks.Clip("train-vitb32-b32-bf16-attn16", "train ViT-B-32 b32, amp_bf16, bf16 SDPA", Model("ViT-B-32"), 32, o, precision: PrecisionPolicy.AmpBf16(TorchSharp.torch.ScalarType.BFloat16))),
        new("train-vitb32-b64", "train step ViT-B-32 @224, batch 64", false, true,
            o => TrainBenchmarks.Clip("train-vitb32-b64", "train step ViT-B-32 @224, batch 64", Model("ViT-B-32"), 64, o)),
        new("train-vitb32-b64-bf16", "train step ViT-B-32 @224, batch 64, amp_bf16", false, true,
            o => TrainBenchmarks.Clip("train-vitb32-b64-bf16", "train step ViT-B-32 @224, batch 64, amp_bf16", Model("ViT-B-32"), 64, o, precision: PrecisionPolicy.AmpBf16())),
        new("train-small-b128", "train step bench_small @64, batch 128", true, true,
            o => TrainBenchmarks.Clip("train-small-b128", "train step bench_small @64, batch 128", SmallModel(o), 128, o)),
        new("train-small-b128-bf16", "train step bench_small @64, batch 128, amp_bf16", true, true,
            o => TrainBenchmarks.Clip("train-small-b128-bf16", "train step bench_small @64, batch 128, amp_bf16", SmallModel(o), 128, o, precision: PrecisionPolicy.AmpBf16())),
        new("train-quickstart-clips-b64", "CLIPS train step, the quickstart model (64 px, 8-px patches), batch 64, captions 32 tokens", true, true,
            o => TrainBenchmarks.Clips("train-quickstart-clips-b64", "CLIPS step quickstart-clips b64", Model("quickstart-clips"), 64, 32, o)),
        new("train-quickstart-clips-b64-bf16", "CLIPS train step, the quickstart model, batch 64, captions 32 tokens, amp_bf16", true, true,
            o => TrainBenchmarks.Clips("train-quickstart-clips-b64-bf16", "CLIPS step quickstart-clips b64, amp_bf16", Model("quickstart-clips"), 64, 32, o, precision: PrecisionPolicy.AmpBf16())),
        new("train-clips-tiny-p80", "CLIPS train step test-clips-tiny, batch 128, partial caption 80 tokens", true, true,
            o => TrainBenchmarks.Clips("train-clips-tiny-p80", "CLIPS step test-clips-tiny b128, partial 80 tok", Model("test-clips-tiny"), 128, 80, o)),
        new("train-clips-tiny-p32", "CLIPS train step test-clips-tiny, batch 128, partial caption 32 tokens", true, true,
            o => TrainBenchmarks.Clips("train-clips-tiny-p32", "CLIPS step test-clips-tiny b128, partial 32 tok", Model("test-clips-tiny"), 128, 32, o)),
        // Memory savers (peak RSS is each row's own child process): gradient checkpointing and patch dropout 0.5,
        // against train-small-b128, train-quickstart-clips-b64 and train-vitb32-b64 above.
        new("train-small-b128-ckpt", "train step bench_small @64, batch 128, grad checkpointing", true, true,
            o => TrainBenchmarks.Clip("train-small-b128-ckpt", "train bench_small b128, grad checkpointing", SmallModel(o), 128, o, Ckpt)),
        new("train-small-b128-pd50", "train step bench_small @64, batch 128, patch dropout 0.5", true, true,
            o => TrainBenchmarks.Clip("train-small-b128-pd50", "train bench_small b128, patch dropout 0.5", SmallModel(o), 128, o, Pd50)),
        new("train-quickstart-clips-b64-ckpt", "CLIPS train step, the quickstart model, batch 64, grad checkpointing", true, true,
            o => TrainBenchmarks.Clips("train-quickstart-clips-b64-ckpt", "CLIPS step quickstart-clips b64, grad checkpointing", Model("quickstart-clips"), 64, 32, o, Ckpt)),
        new("train-quickstart-clips-b64-pd50", "CLIPS train step, the quickstart model, batch 64, patch dropout 0.5", true, true,
            o => TrainBenchmarks.Clips("train-quickstart-clips-b64-pd50", "CLIPS step quickstart-clips b64, patch dropout 0.5", Model("quickstart-clips"), 64, 32, o, Pd50)),
        new("train-vitb32-b64-ckpt", "train step ViT-B-32 @224, batch 64, grad checkpointing", false, true,
            o => TrainBenchmarks.Clip("train-vitb32-b64-ckpt", "train step ViT-B-32 @224, batch 64, grad checkpointing", Model("ViT-B-32"), 64, o, Ckpt)),
        new("train-vitb32-b64-pd50", "train step ViT-B-32 @224, batch 64, patch dropout 0.5", false, true,
            o => TrainBenchmarks.Clip("train-vitb32-b64-pd50", "train step ViT-B-32 @224, batch 64, patch dropout 0.5", Model("ViT-B-32"), 64, o, Pd50)),
        new("encode-image-vitb32-b32", "encode_image ViT-B-32 @224, batch 32", true, false,
            o => InferenceBenchmarks.EncodeImage("encode-image-vitb32-b32", "encode_image ViT-B-32 @224, batch 32", Model("ViT-B-32"), 32, o)),
        new("encode-image-vitb32-b32-bf16", "encode_image ViT-B-32 @224, batch 32, bf16", true, false,
            o => InferenceBenchmarks.EncodeImage("encode-image-vitb32-b32-bf16", "encode_image ViT-B-32 @224, batch 32, bf16", Model("ViT-B-32"), 32, o, bf16: true)),
        new("encode-image-vitb32-b32-bf16-attn16", "encode_image ViT-B-32 @224, batch 32, bf16 with bf16 attention", false, false,
            o => InferenceBenchmarks.EncodeImage("encode-image-vitb32-b32-bf16-attn16", "encode_image ViT-B-32 b32, bf16, bf16 SDPA", Model("ViT-B-32"), 32, o, bf16: true,
                attention: TorchSharp.torch.ScalarType.BFloat16)),
        new("encode-text-vitb32-b128", "encode_text ViT-B-32, context 77, batch 128, every row full length", true, false,
            o => InferenceBenchmarks.EncodeText("encode-text-vitb32-b128", "encode_text ViT-B-32, ctx 77, batch 128", Model("ViT-B-32"), 128, true, o)),
        new("encode-text-vitb32-b128-bf16", "encode_text ViT-B-32, context 77, batch 128, every row full length, bf16", true, false,
            o => InferenceBenchmarks.EncodeText("encode-text-vitb32-b128-bf16", "encode_text ViT-B-32, ctx 77, batch 128, bf16", Model("ViT-B-32"), 128, true, o, bf16: true)),
        new("encode-text-vitb32-b128-captions", "encode_text ViT-B-32, context 77, batch 128, real captions padded to 77", false, false,
            o => InferenceBenchmarks.EncodeText("encode-text-vitb32-b128-captions", "encode_text ViT-B-32 b128, world captions", Model("ViT-B-32"), 128, false, o)),
        new("images-1t", "decode + resize 224 bicubic + crop + normalize, 1 thread", true, false,
            o => ImagePipelineBenchmark.Run("images-1t", "image pipeline, 1 thread", Jpegs(o), 1, o)),
        new("images-2t", "decode + resize 224 bicubic + crop + normalize, 2 threads", true, false,
            o => ImagePipelineBenchmark.Run("images-2t", "image pipeline, 2 threads", Jpegs(o), 2, o)),
        new("jpeg-decode", "JPEG decode per route (libvips, libturbojpeg, Skia), 500x375 and 64x64, 1 thread", false, false,
            o => JpegDecodeBenchmark.Run(Jpegs(o), o)),
        .. CaptionBenchmark.Specs,
        .. IndexSearchBenchmark.Specs,
        .. OnnxBenchmarks.Specs,
        .. ColdStartBenchmark.Specs,
        .. AnnSearchBenchmark.Specs,
        ServeLoadBenchmark.Spec,
    ];

    /// <summary>The specs selected by <paramref name="o"/> (Only, else the quick subset or all).</summary>
    public static IReadOnlyList<BenchSpec> Select(BenchOptions o)
    {
        if (o.Only is { Count: > 0 } only)
        {
            var unknown = only.Where(n => All.All(s => s.Name != n)).ToList();
            if (unknown.Count > 0)
                throw new ClipSharpException($"Unknown benchmark '{unknown[0]}'; known: {string.Join(", ", All.Select(s => s.Name))}.");
            return All.Where(s => only.Contains(s.Name)).ToList();
        }
        return o.Quick ? All.Where(s => s.InQuick).ToList() : All;
    }

    private static readonly TrainBenchmarks.Savers Ckpt = new(GradCheckpointing: true), Pd50 = new(PatchDropout: 0.5);

    private static ModelConfig Model(string name) => ModelFactory.LoadConfig(name).Model;

    private static ModelConfig SmallModel(BenchOptions o)
    {
        var path = Path.Combine(o.BenchDir(), "bench_small.json");
        if (!File.Exists(path)) throw new ClipSharpException($"Benchmark config '{path}' does not exist (set --shared or CLIPSHARP_SHARED).");
        return ModelConfigReader.ReadFile(path).Model;
    }

    private static string Jpegs(BenchOptions o) => Path.Combine(o.BenchDir(), "jpegs-500x375");
}

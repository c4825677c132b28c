using ClipSharp.Export;
using ClipSharp.Modeling;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using TorchSharp;
using static TorchSharp.torch;
using Tensor = TorchSharp.torch.Tensor;

namespace ClipSharp.Bench;

/// <summary>
/// The exported graphs through ONNX Runtime (CPU, intra-op threads = libtorch's), on the same random-init model and
/// synthetic inputs as the TorchSharp rows (encode-image-vitb32-b32, encode-text-vitb32-b128): run them back to back
/// with --only. Details carry the export's file size, session creation time and the embeddings' max |diff| against
/// TorchSharp fp32 on the same input.
/// </summary>
public static class OnnxBenchmarks
{
    /// <summary>The ORT rows: ViT-B-32 encode_image b32 and encode_text b128, fp32 and fp16 weights.</summary>
    public static IEnumerable<BenchSpec> Specs { get; } =
    [
        new("onnx-encode-image-vitb32-b32", "ORT encode_image ViT-B-32 @224, batch 32, fp32 graph", false, false, o => Image(o, ExportPrecision.Fp32)),
        new("onnx-encode-image-vitb32-b32-fp16", "ORT encode_image ViT-B-32 @224, batch 32, fp16 weights", false, false, o => Image(o, ExportPrecision.Fp16)),
        new("onnx-encode-text-vitb32-b128", "ORT encode_text ViT-B-32, ctx 77, batch 128, every row full length, fp32 graph", false, false, o => Text(o, ExportPrecision.Fp32)),
        new("onnx-encode-text-vitb32-b128-fp16", "ORT encode_text ViT-B-32, ctx 77, batch 128, fp16 weights", false, false, o => Text(o, ExportPrecision.Fp16)),
    ];

    private static BenchResult Image(BenchOptions o, ExportPrecision p)
    {
        var (model, cfg) = Model();
        var images = torch.randn(32, 3, cfg.Vision.ImageSize, cfg.Vision.ImageSize);
        Tensor want;
        using (torch.no_grad()) want = model.EncodeImage(images, normalize: true);
        var input = new DenseTensor<float>(images.data<float>().ToArray(), [32, 3, cfg.Vision.ImageSize, cfg.Vision.ImageSize]);
        var name = p == ExportPrecision.Fp32 ? "onnx-encode-image-vitb32-b32" : $"onnx-encode-image-vitb32-b32-{p.Name()}";
        return Run(name, $"ORT encode_image ViT-B-32 b32, {p.Name()} weights", model, p, OnnxExporter.ImageFile,
            NamedOnnxValue.CreateFromTensor(OnnxExporter.ImageInput, input), want, 32, o, "images/s");
    }

    private static BenchResult Text(BenchOptions o, ExportPrecision p)
    {
        var (model, cfg) = Model();
        var ids = InferenceBenchmarks.FullLengthIds(128, cfg.Text.ContextLength, cfg.Text.VocabSize);
        Tensor want;
        using (torch.no_grad()) want = model.EncodeText(ids, normalize: true);
        var input = new DenseTensor<long>(ids.data<long>().ToArray(), [128, cfg.Text.ContextLength]);
        var name = p == ExportPrecision.Fp32 ? "onnx-encode-text-vitb32-b128" : $"onnx-encode-text-vitb32-b128-{p.Name()}";
        return Run(name, $"ORT encode_text ViT-B-32 b128 full length, {p.Name()} weights", model, p, OnnxExporter.TextFile,
            NamedOnnxValue.CreateFromTensor(OnnxExporter.TextInput, input), want, 128, o, "texts/s");
    }

    private static (ContrastiveModel Model, ModelConfig Config) Model()
    {
        torch.manual_seed(0);
        var cfg = ModelFactory.LoadConfig("ViT-B-32").Model;
        var model = ModelFactory.Create(cfg);
        model.eval();
        return (model, cfg);
    }

    private static BenchResult Run(string name, string description, ContrastiveModel model, ExportPrecision p, string file,
        NamedOnnxValue input, Tensor want, int batch, BenchOptions o, string unit)
    {
        var dir = Path.Combine(Path.GetTempPath(), $"clipsharp-bench-onnx-{Environment.ProcessId}-{p.Name()}");
        try
        {
            OnnxExporter.WriteGraphs(model, "ViT-B-32", dir, new OnnxExportOptions { Precision = p });
            var path = Path.Combine(dir, file);
            using var options = new SessionOptions { IntraOpNumThreads = torch.get_num_threads(), InterOpNumThreads = 1 };
            var sw = System.Diagnostics.Stopwatch.StartNew();
            using var session = new InferenceSession(path, options);
            double createS = sw.Elapsed.TotalSeconds;
            float[] last = [];
            var times = Timing.Measure(() =>
            {
                using var results = session.Run([input]);
                last = results.Single().AsTensor<float>().ToArray();
            }, o.Warmup, o.Repeats + 1);
            double maxDiff = tensor(last).view(want.shape).sub(want).abs().max().item<float>();
            double s = Timing.Median(times);
            return new BenchResult
            {
                Name = name, Description = description, Value = batch / s, Unit = unit, RepeatSeconds = times, MedianSeconds = s,
                PeakRssMiB = ProcessMemory.PeakRssMiB(),
                Details = new Dictionary<string, string>
                {
                    ["batch"] = batch.ToString(), ["threads"] = torch.get_num_threads().ToString(), ["runtime"] = "onnxruntime 1.32 CPU",
                    ["weights"] = p.Name(), ["graph_mib"] = (new FileInfo(path).Length / 1048576.0).ToString("F1"),
                    ["session_create_s"] = createS.ToString("F2"), ["max_abs_diff_vs_torchsharp_fp32"] = maxDiff.ToString("E2"),
                },
            };
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
    }
}

using System.Diagnostics;
using ClipSharp.Checkpoints;
using ClipSharp.Core;
using ClipSharp.Data.Images;
using ClipSharp.Export;
using ClipSharp.Inference;
using ClipSharp.Modeling;
using ClipSharp.Onnx;
using ClipSharp.Text;
using TorchSharp;

namespace ClipSharp.Bench;

/// <summary>
/// Cold start: a fresh process (this executable, `cold torch|onnx DIR IMAGE`) from start to its first image and text
/// embedding, for the TorchSharp pipeline (ClipPipeline over a Hugging Face style folder) and the ONNX Runtime one
/// (OnnxClipPipeline over the export of the same random-init ViT-B-32). The ONNX child never touches TorchSharp, so
/// libtorch is not loaded there. Value: seconds, median over the repeats (the OS file cache is warm after the first).
/// </summary>
public static class ColdStartBenchmark
{
    /// <summary>The two cold-start rows.</summary>
    public static IEnumerable<BenchSpec> Specs { get; } =
    [
        new("cold-start-torch", "process start → first embedding, ClipPipeline (TorchSharp), ViT-B-32", false, false, o => Run("torch", o)),
        new("cold-start-onnx", "process start → first embedding, OnnxClipPipeline (ONNX Runtime, no libtorch), ViT-B-32", false, false, o => Run("onnx", o)),
    ];

    /// <summary>The child: loads the model, embeds one image and one text, prints the seconds since process start.</summary>
    public static int Child(string[] args)
    {
        if (args.Length != 3) throw new ClipSharpException("usage: cold torch|onnx DIR IMAGE");
        float[] img = args[0] == "onnx" ? OnnxFirst(args[1], args[2]) : TorchFirst(args[1], args[2]);
        var since = DateTime.Now - Process.GetCurrentProcess().StartTime;
        Console.Out.WriteLine($"{since.TotalSeconds:F3} {img.Length}");
        return 0;
    }

    private static float[] OnnxFirst(string dir, string image)
    {
        using var p = OnnxClipPipeline.Load(Path.Combine(dir, "onnx"));
        p.EncodeText("a photo of a cat");
        return p.EncodeImage(image);
    }

    private static float[] TorchFirst(string dir, string image)
    {
        using var p = ClipPipeline.Load(Path.Combine(dir, "hf"));
        p.EncodeText("a photo of a cat");
        return p.EncodeImage(image);
    }

    private static BenchResult Run(string runtime, BenchOptions o)
    {
        var dir = Prepare(o);
        var image = Path.Combine(dir, "image.png");
        var inner = new List<double>();
        var times = Timing.Measure(() =>
        {
            var psi = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var a in new[] { "cold", runtime, dir, image }) psi.ArgumentList.Add(a);
            using var child = Process.Start(psi)!;
            var stdout = child.StandardOutput.ReadToEnd();
            var stderr = child.StandardError.ReadToEnd();
            child.WaitForExit();
            if (child.ExitCode != 0) throw new ClipSharpException($"cold-start child failed ({child.ExitCode}): {stderr}");
            inner.Add(double.Parse(stdout.Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture));
        }, 1, o.Repeats);
        double s = Timing.Median(times);
        return new BenchResult
        {
            Name = $"cold-start-{runtime}", Description = $"process start → first embedding, {runtime}, ViT-B-32", Value = s, Unit = "s",
            RepeatSeconds = times, MedianSeconds = s, PeakRssMiB = ProcessMemory.PeakRssMiB(),
            Details = new Dictionary<string, string>
            {
                ["in_child_s_median"] = Timing.Median([.. inner]).ToString("F3"),
                ["runtime"] = runtime == "onnx" ? "onnxruntime 1.32 CPU" : "TorchSharp 0.107 / libtorch 2.10 CPU",
            },
        };
    }

    // A random-init ViT-B-32 as a Hugging Face style folder (hf/) and as its ONNX export (onnx/), plus one image; made once.
    private static string Prepare(BenchOptions o)
    {
        var dir = Path.Combine(Path.GetTempPath(), "clipsharp-bench-coldstart-vitb32");
        if (File.Exists(Path.Combine(dir, "onnx", OnnxManifest.ManifestFile))) return dir;
        var bpe = Path.GetFullPath(Path.Combine(o.BenchDir(), "..", "fixtures", "openclip", "tokenizer", "bpe_simple_vocab_16e6.txt.gz"));
        if (!File.Exists(bpe)) throw new ClipSharpException($"{bpe}: the CLIP BPE vocabulary is needed for the cold-start rows (set --shared).");
        var hf = Directory.CreateDirectory(Path.Combine(dir, "hf")).FullName;
        torch.manual_seed(0);
        var file = ModelFactory.LoadConfig("ViT-B-32");
        using var model = ModelFactory.Create(file.Model);
        model.eval();
        var pre = PreprocessConfig.OpenAi();
        File.WriteAllText(Path.Combine(hf, "open_clip_config.json"), $"{{\"model_cfg\": {File.ReadAllText(file.Path)}, \"preprocess_cfg\": {pre.ToJson()}}}");
        SafeTensorsWriter.Save(Path.Combine(hf, "model.safetensors"), model.state_dict());
        File.Copy(bpe, Path.Combine(hf, Path.GetFileName(bpe)), overwrite: true);
        OnnxExporter.Export(model, new OnnxExportSource("ViT-B-32", Path.Combine(hf, "model.safetensors"), pre,
            new TokenizerSpec(null, hf, file.Model.Text.ContextLength)), Path.Combine(dir, "onnx"));
        var rgb = new byte[320 * 240 * 3];
        new Random(1).NextBytes(rgb);
        using var img = NetVips.Image.NewFromMemory(rgb, 320, 240, 3, NetVips.Enums.BandFormat.Uchar);
        img.WriteToFile(Path.Combine(dir, "image.png"));
        return dir;
    }
}

using System.CommandLine;
using ClipSharp.Core;
using ClipSharp.Evaluation;
using ClipSharp.Inference;
using ClipSharp.Training.Finetuning;

namespace ClipSharp.Cli.Commands;

/// <summary>
/// `clipsharp wise-ft --zero-shot A --fine-tuned B --alpha 0.5 --out C [--world DIR | --karpathy FILE]`: the WiSE-FT
/// weight-space mix of two checkpoints of one architecture, written as a model folder (or a .safetensors file), and
/// optionally the retrieval of A, the mix and B side by side.
/// </summary>
public static class WiseFtCommand
{
    public static Command Create()
    {
        var zeroShot = new Option<string>("--zero-shot") { Description = "The zero-shot (pre-fine-tuning) model: a run / OpenCLIP-CLIPS Hugging Face folder or a weights file.", Required = true };
        var fineTuned = new Option<string>("--fine-tuned") { Description = "The fine-tuned model, same architecture: a folder or a weights file.", Required = true };
        var alpha = new Option<double>("--alpha") { Description = "The fine-tuned share: θ = (1 − α)·θ_zero-shot + α·θ_fine-tuned.", DefaultValueFactory = _ => 0.5 };
        var output = new Option<string>("--out") { Description = "Output model folder (config and tokenizer copied from the fine-tuned folder, else the zero-shot one), or a .safetensors file.", Required = true };
        var force = new Option<bool>("--force") { Description = "Overwrite an existing output." };
        var config = new Option<string?>("--config") { Description = "Model config (name, file or folder) to evaluate weights files with when neither input is a folder." };
        var world = new Option<string?>("--world") { Description = "Evaluate: retrieval on a built-in world's eval set, for the zero-shot model, the mix and the fine-tuned model." };
        var karpathy = new Option<string?>("--karpathy") { Description = "Evaluate: retrieval on a Karpathy split JSON (images under --images, default its folder)." };
        var images = new Option<string?>("--images") { Description = "Image root of --karpathy." };
        var split = new Option<string>("--split") { Description = "Split of --karpathy.", DefaultValueFactory = _ => "test" };
        var eval = new Option<string?>("--eval-output") { Description = "Write the evaluation results (CLIP_benchmark JSON, one per model) to this folder." };
        var batch = new Option<int>("--batch-size") { Description = "Images per forward pass when evaluating.", DefaultValueFactory = _ => 32 };
        var device = CommonOptions.Device();
        var threads = CommonOptions.Threads();
        var cmd = new Command("wise-ft", "WiSE-FT: interpolate a zero-shot and a fine-tuned checkpoint in weight space, θ = (1 − α)·A + α·B; optionally evaluate.");
        foreach (var o in new Option[] { zeroShot, fineTuned, alpha, output, force, config, world, karpathy, images, split, eval, batch, device, threads }) cmd.Options.Add(o);
        cmd.SetAction(r =>
        {
            var options = new WiseFtOptions
            {
                ZeroShot = r.GetValue(zeroShot)!, FineTuned = r.GetValue(fineTuned)!, Alpha = r.GetValue(alpha), Output = r.GetValue(output)!,
                Overwrite = r.GetValue(force),
            };
            var res = WiseFtFiles.Run(options);
            Console.WriteLine($"wrote {res.WeightsPath}: {res.Tensors} tensors, α = {options.Alpha} ({(1 - options.Alpha):0.###} × {options.ZeroShot} + {options.Alpha:0.###} × {options.FineTuned})");
            var data = Dataset(r.GetValue(world), r.GetValue(karpathy), r.GetValue(images), r.GetValue(split)!);
            if (data is null) return 0;
            var pipeOptions = new ClipPipelineOptions { Device = CommonOptions.Apply(r.GetValue(device)!, r.GetValue(threads)), BatchSize = r.GetValue(batch) };
            var describedBy = res.ConfigFolder ?? r.GetValue(config);
            var results = new List<BenchmarkResult>();
            foreach (var (label, path) in new[] { ("zero-shot", options.ZeroShot), ($"wise-ft α={options.Alpha:0.###}", res.Output), ("fine-tuned", options.FineTuned) })
                results.Add(Evaluate(label, path, describedBy, pipeOptions, data));
            Console.WriteLine(BenchmarkResult.FormatTable(results));
            if (r.GetValue(eval) is { } dir)
                for (int i = 0; i < results.Count; i++) results[i].Write(Path.Combine(dir, $"{i}-{string.Concat(results[i].Model.Split(' ', '=', 'α'))}.json"));
            return 0;
        });
        return cmd;
    }

    private static RetrievalDataset? Dataset(string? world, string? karpathy, string? images, string split)
    {
        if (world is not null)
        {
            var evalFile = Path.Combine(world, Scenes.WorldManifest.Read(world).EvalFile);
            return RetrievalDataset.FromKarpathyJson(evalFile, Path.GetDirectoryName(evalFile)!, split);
        }
        return karpathy is null ? null : RetrievalDataset.FromKarpathyJson(karpathy, images ?? Path.GetDirectoryName(Path.GetFullPath(karpathy))!, split);
    }

    private static BenchmarkResult Evaluate(string label, string path, string? config, ClipPipelineOptions options, RetrievalDataset data)
    {
        using var pipe = Directory.Exists(path) && File.Exists(Path.Combine(path, Checkpoints.HfModelDirectory.ConfigName))
            ? ClipPipeline.Load(path, options)
            : ClipPipeline.Load(config ?? throw new ClipSharpException($"{path} is a weights file: give --config (a model config or folder) to evaluate it."),
                path, options with { VocabPath = Directory.Exists(config) ? config : null });
        Console.Error.WriteLine($"evaluating {label} ({path})");
        var metrics = RetrievalEvaluator.Evaluate(pipe.Model, pipe.Tokenizer, pipe.Transform, data, new RetrievalOptions { BatchSize = options.BatchSize });
        return new BenchmarkResult(data.Name, label, path, "zeroshot_retrieval", metrics.ToBenchmarkMetrics());
    }
}

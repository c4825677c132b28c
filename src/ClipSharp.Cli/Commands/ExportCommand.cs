using System.CommandLine;
using ClipSharp.Core;
using ClipSharp.Export;
using ClipSharp.Inference;
using ClipSharp.Text;

namespace ClipSharp.Cli.Commands;

/// <summary>`clipsharp export onnx MODEL --out DIR [--precision fp32|fp16|bf16] [--opset N]` (or --config + --checkpoint).</summary>
public static class ExportCommand
{
    public static Command Create()
    {
        var export = new Command("export", "Export a model for other runtimes.");
        export.Subcommands.Add(Onnx());
        return export;
    }

    private static Command Onnx()
    {
        var model = new Argument<string?>("model") { Description = "A run / OpenCLIP-CLIPS Hugging Face directory (or omit and give --config + --checkpoint).", Arity = ArgumentArity.ZeroOrOne };
        var config = new Option<string?>("--config") { Description = "Model config name or file, with --checkpoint." };
        var checkpoint = new Option<string?>("--checkpoint") { Description = "Weights file, with --config (or MODEL as the config)." };
        var vocab = new Option<string?>("--vocab") { Description = "Tokenizer vocabulary file or folder (default: beside the weights)." };
        var output = new Option<string>("--out") { Description = "Output folder (image_encoder.onnx, text_encoder.onnx, manifest.json, preprocess_cfg.json, tokenizer files).", Required = true };
        var precision = new Option<string>("--precision") { Description = "Weight storage: fp32, fp16 or bf16 (16-bit weights cast to fp32 in the graph).", DefaultValueFactory = _ => "fp32" };
        var opset = new Option<int>("--opset") { Description = $"ONNX opset {OnnxExporter.MinOpset}..{OnnxExporter.MaxOpset}.", DefaultValueFactory = _ => OnnxExporter.DefaultOpset };
        var cmd = new Command("onnx", "Export the image and text encoders as ONNX graphs (dynamic batch, normalised embeddings) for ONNX Runtime.");
        cmd.Arguments.Add(model);
        foreach (var o in new Option[] { config, checkpoint, vocab, output, precision, opset }) cmd.Options.Add(o);
        cmd.SetAction(r =>
        {
            var options = new OnnxExportOptions { Precision = ExportPrecisions.Parse(r.GetValue(precision)!), Opset = r.GetValue(opset) };
            var (bundle, vocabPath) = Load(r.GetValue(model), r.GetValue(config), r.GetValue(checkpoint), r.GetValue(vocab));
            using var _ = bundle.Model;
            var text = bundle.Model.Config.Text;
            var source = new OnnxExportSource(bundle.Name, bundle.Source, bundle.Preprocess,
                new TokenizerSpec(text.HfTokenizerName, vocabPath, text.ContextLength) { TokenizerMode = text.TokenizerMode });
            var dir = r.GetValue(output)!;
            var m = OnnxExporter.Export(bundle.Model, source, dir, options);
            Console.WriteLine($"wrote {dir}: {m.ModelName}, embed_dim {m.EmbedDim}, {m.Precision}, opset {m.Opset}");
            foreach (var (name, sha) in m.Files) Console.WriteLine($"  {name,-32} {new FileInfo(Path.Combine(dir, name)).Length,14:N0} bytes  sha256 {sha[..16]}…");
            return 0;
        });
        return cmd;
    }

    private static (ModelBundle Bundle, string VocabPath) Load(string? model, string? config, string? checkpoint, string? vocab)
    {
        if (checkpoint is not null)
        {
            var cfg = config ?? model ?? throw new ClipSharpException("--checkpoint needs the model config: --config NAME|FILE (or MODEL).");
            return (ModelLoader.FromCheckpoint(cfg, checkpoint, vocabPath: vocab), vocab ?? Path.GetDirectoryName(Path.GetFullPath(checkpoint))!);
        }
        if (model is null) throw new ClipSharpException("Give MODEL (a run / Hugging Face directory) or --config with --checkpoint.");
        if (!Directory.Exists(model))
            throw new ClipSharpException($"{model} is not a directory; give a run / Hugging Face directory, or --config NAME --checkpoint FILE.");
        return (ModelLoader.FromDirectory(model, vocabPath: vocab), vocab ?? model);
    }
}

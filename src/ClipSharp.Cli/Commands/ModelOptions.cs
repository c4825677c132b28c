using System.CommandLine;
using ClipSharp.Core;
using ClipSharp.Inference;

namespace ClipSharp.Cli.Commands;

/// <summary>The model options of the inference/eval commands: --model DIR (run or Hugging Face directory) or --model NAME --checkpoint FILE.</summary>
internal sealed class ModelOptions
{
    public Option<string> Model { get; } = new("--model") { Description = "A run / OpenCLIP-CLIPS Hugging Face directory, or a model config name or file (with --checkpoint).", Required = true };
    public Option<string?> Checkpoint { get; } = new("--checkpoint") { Description = "Weights file when --model is a config name or file." };
    public Option<string?> Vocab { get; } = new("--vocab") { Description = "Tokenizer vocabulary file or folder (default: beside the weights)." };
    public Option<int> BatchSize { get; } = new("--batch-size") { Description = "Images per forward pass.", DefaultValueFactory = _ => 32 };
    public Option<string> Device { get; } = CommonOptions.Device();
    public Option<int> Threads { get; } = CommonOptions.Threads();
    public Option<string> Precision { get; } = new("--precision")
    {
        Description = "fp32, or bf16 (matmuls in bf16, embeddings still fp32; faster on CPUs with AVX-512 BF16 / AMX and on GPUs).",
        DefaultValueFactory = _ => "fp32",
    };

    public void AddTo(Command cmd)
    {
        foreach (var o in new Option[] { Model, Checkpoint, Vocab, BatchSize, Device, Threads, Precision }) cmd.Options.Add(o);
    }

    public ClipPipeline Load(ParseResult r)
    {
        var device = CommonOptions.Apply(r.GetValue(Device)!, r.GetValue(Threads));
        var options = new ClipPipelineOptions
        {
            Device = device, BatchSize = r.GetValue(BatchSize), VocabPath = r.GetValue(Vocab), Precision = ParsePrecision(r.GetValue(Precision)!),
        };
        var model = r.GetValue(Model)!;
        if (r.GetValue(Checkpoint) is { } ckpt) return ClipPipeline.Load(model, ckpt, options);
        if (!Directory.Exists(model))
            throw new ClipSharpException($"--model {model} is not a directory; give a run / Hugging Face directory, or a config name with --checkpoint FILE.");
        return ClipPipeline.Load(model, options);
    }

    private static InferencePrecision ParsePrecision(string text) => text.Trim().ToLowerInvariant() switch
    {
        "fp32" => InferencePrecision.Fp32,
        "bf16" => InferencePrecision.Bf16,
        _ => throw new ClipSharpException($"--precision {text}: expected fp32 or bf16."),
    };
}

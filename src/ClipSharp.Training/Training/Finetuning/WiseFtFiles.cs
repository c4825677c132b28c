using System.Globalization;
using System.Text.Json.Nodes;
using ClipSharp.Checkpoints;
using ClipSharp.Core;
using ClipSharp.Modeling;
using static TorchSharp.torch;

namespace ClipSharp.Training.Finetuning;

/// <summary>What <see cref="WiseFtFiles.Run"/> mixes and where it writes the result.</summary>
public sealed record WiseFtOptions
{
    /// <summary>The zero-shot model: a run / OpenCLIP / CLIPS Hugging Face folder, or a weights file.</summary>
    public required string ZeroShot { get; init; }
    /// <summary>The fine-tuned model, as <see cref="ZeroShot"/>.</summary>
    public required string FineTuned { get; init; }
    /// <summary>The fine-tuned weights' share α: 0 = zero-shot, 1 = fine-tuned.</summary>
    public double Alpha { get; init; } = 0.5;
    /// <summary>A folder (model.safetensors + the config and tokenizer files of an input folder) or a .safetensors file.</summary>
    public required string Output { get; init; }
    /// <summary>Replace an existing output.</summary>
    public bool Overwrite { get; init; }
}

/// <summary>What a WiSE-FT run wrote: the output, its weights file, the tensors, and the folder whose config and
/// tokenizer describe the result (null when neither input is a model folder).</summary>
public sealed record WiseFtResult(string Output, string WeightsPath, int Tensors, string? ConfigFolder);

/// <summary>
/// WiSE-FT on files: reads two checkpoints (model folders or weights files), checks that their configs (when both
/// have one) describe one architecture, mixes them (<see cref="WiseFt.Interpolate"/>) and writes either a model folder
/// that <c>clipsharp eval</c> / <c>embed</c> and OpenCLIP's <c>local-dir:</c> load as they are (model.safetensors,
/// open_clip_config.json and the tokenizer files of the fine-tuned folder, else the zero-shot one, plus wise_ft.json)
/// or a bare .safetensors file (load it with the config of either input).
/// </summary>
public static class WiseFtFiles
{
    /// <summary>The weights file of a folder output.</summary>
    public const string WeightsName = "model.safetensors";

    private static readonly string[] DescriptionFiles =
        [HfModelDirectory.ConfigName, "vocab.txt", "tokenizer_config.json", "special_tokens_map.json", "tokenizer.json",
         "bpe_simple_vocab_16e6.txt.gz", "bpe_simple_vocab_16e6.txt", "vocab.json", "merges.txt"];

    private sealed record Source(string Path, string Weights, string? Folder, ModelConfigFile? Config)
    {
        public static Source Open(string path)
        {
            if (Directory.Exists(path))
            {
                var d = HfModelDirectory.Open(path);
                return d.ConfigPath is { } c ? new Source(path, d.WeightsPath, path, ModelConfigReader.ReadFile(c)) : new Source(path, d.WeightsPath, null, null);
            }
            return File.Exists(path) ? new Source(path, path, null, null)
                : throw new ClipSharpException($"{path}: no such checkpoint file or model folder.");
        }
    }

    /// <summary>Mixes and writes; see <see cref="WiseFtFiles"/>.</summary>
    public static WiseFtResult Run(WiseFtOptions o)
    {
        Source zs = Source.Open(o.ZeroShot), ft = Source.Open(o.FineTuned);
        if (zs.Config is { } a && ft.Config is { } b) WiseFt.CheckSameArchitecture(a.Model, b.Model, o.ZeroShot, o.FineTuned);
        bool toFile = o.Output.EndsWith(".safetensors", StringComparison.OrdinalIgnoreCase);
        var describedBy = ft.Folder ?? zs.Folder;
        if (!toFile && describedBy is null)
            throw new ClipSharpException($"neither {o.ZeroShot} nor {o.FineTuned} is a model folder with {HfModelDirectory.ConfigName}, so there is no config " +
                "to put in an output folder; write a file instead (--out NAME.safetensors) and load it with its model config.");
        CheckOutput(o, toFile, zs, ft);
        Dictionary<string, Tensor> mixed;
        using (var zsWeights = CheckpointReader.Read(zs.Weights))
        using (var ftWeights = CheckpointReader.Read(ft.Weights))
            mixed = WiseFt.Interpolate(zsWeights, ftWeights, o.Alpha, o.ZeroShot, o.FineTuned);
        var weightsPath = toFile ? o.Output : Path.Combine(o.Output, WeightsName);
        try
        {
            if (!toFile) WriteFolder(o, describedBy!);
            SafeTensorsWriter.Save(weightsPath, mixed, new Dictionary<string, string>
            {
                ["format"] = "pt", ["wise_ft_alpha"] = o.Alpha.ToString("R", CultureInfo.InvariantCulture),
                ["wise_ft_zero_shot"] = o.ZeroShot, ["wise_ft_fine_tuned"] = o.FineTuned,
            });
        }
        finally
        {
            foreach (var t in mixed.Values) t.Dispose();
        }
        return new WiseFtResult(o.Output, weightsPath, mixed.Count, describedBy);
    }

    private static void CheckOutput(WiseFtOptions o, bool toFile, Source zs, Source ft)
    {
        var output = Path.GetFullPath(o.Output);
        foreach (var input in new[] { zs.Path, zs.Weights, ft.Path, ft.Weights })
            if (Path.GetFullPath(input) == output) throw new ClipSharpException($"--out {o.Output} is one of the inputs; write the mix somewhere else.");
        bool exists = toFile ? File.Exists(output) : Directory.Exists(output) && Directory.EnumerateFileSystemEntries(output).Any();
        if (exists && !o.Overwrite) throw new ClipSharpException($"{o.Output} already exists (pass --force to overwrite).");
        if (!toFile && File.Exists(output)) throw new ClipSharpException($"{o.Output} is a file; give a folder or a .safetensors path.");
    }

    // The describing folder's config and tokenizer files, and wise_ft.json saying what was mixed.
    private static void WriteFolder(WiseFtOptions o, string describedBy)
    {
        Directory.CreateDirectory(o.Output);
        foreach (var name in DescriptionFiles)
            if (File.Exists(Path.Combine(describedBy, name))) File.Copy(Path.Combine(describedBy, name), Path.Combine(o.Output, name), overwrite: true);
        var note = new JsonObject
        {
            ["method"] = "wise-ft", ["alpha"] = o.Alpha, ["zero_shot"] = Path.GetFullPath(o.ZeroShot),
            ["fine_tuned"] = Path.GetFullPath(o.FineTuned), ["config_from"] = Path.GetFullPath(describedBy),
        };
        File.WriteAllText(Path.Combine(o.Output, "wise_ft.json"), note.ToJsonString(new() { WriteIndented = true }));
    }
}

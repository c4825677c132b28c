using ClipSharp.Core;

namespace ClipSharp.Checkpoints;

/// <summary>
/// A local copy of an OpenCLIP / CLIPS Hugging Face model repository: the weights (open_clip_model.safetensors
/// preferred over open_clip_pytorch_model.bin), open_clip_config.json and the tokenizer files that are present
/// (vocab.txt for the CLIPS WordPiece tokenizer, tokenizer.json / tokenizer_config.json / special_tokens_map.json,
/// bpe_simple_vocab_16e6.txt[.gz] for the CLIP BPE tokenizer).
/// </summary>
public sealed record HfModelDirectory(
    string Directory,
    string WeightsPath,
    string? ConfigPath,
    string? VocabTxt,
    string? TokenizerJson,
    string? TokenizerConfigJson,
    string? SpecialTokensMapJson,
    string? BpeVocab)
{
    /// <summary>Weight file names tried in order; then a single *.safetensors / *.bin / *.pt / *.pth file.</summary>
    public static readonly IReadOnlyList<string> WeightNames =
        ["open_clip_model.safetensors", "open_clip_pytorch_model.bin", "model.safetensors", "pytorch_model.bin"];

    /// <summary>The config file name OpenCLIP's hub loader reads.</summary>
    public const string ConfigName = "open_clip_config.json";

    /// <summary>The config JSON text, or null when the directory has none.</summary>
    public string? ReadConfigJson() => ConfigPath == null ? null : File.ReadAllText(ConfigPath);

    /// <summary>Finds the files in <paramref name="directory"/>; the error lists every name that was looked for.</summary>
    public static HfModelDirectory Open(string directory)
    {
        if (!System.IO.Directory.Exists(directory)) throw new ClipSharpException($"{directory}: model directory not found.");
        string? Find(string name) => File.Exists(Path.Combine(directory, name)) ? Path.Combine(directory, name) : null;
        var weights = WeightNames.Select(Find).FirstOrDefault(p => p != null);
        if (weights == null)
        {
            var candidates = System.IO.Directory.EnumerateFiles(directory)
                .Where(f => Path.GetExtension(f) is ".safetensors" or ".bin" or ".pt" or ".pth").ToList();
            if (candidates.Count == 1) weights = candidates[0];
            else
                throw new ClipSharpException(
                    $"{directory}: no model weights found: looked for {string.Join(", ", WeightNames)} " +
                    (candidates.Count == 0 ? "or a single *.safetensors/*.bin/*.pt/*.pth file" : $"and found {candidates.Count} candidate files ({string.Join(", ", candidates.Select(Path.GetFileName))}), which is ambiguous") + ".");
        }
        return new HfModelDirectory(directory, weights, Find(ConfigName), Find("vocab.txt"), Find("tokenizer.json"),
            Find("tokenizer_config.json"), Find("special_tokens_map.json"),
            Find("bpe_simple_vocab_16e6.txt.gz") ?? Find("bpe_simple_vocab_16e6.txt"));
    }

    /// <summary>The config JSON text; the error says what was looked for.</summary>
    public string RequireConfigJson() => ReadConfigJson()
        ?? throw new ClipSharpException($"{Directory}: no {ConfigName} (the OpenCLIP hub config with model_cfg and preprocess_cfg).");
}

using ClipSharp.Checkpoints;
using ClipSharp.Core;
using ClipSharp.Modeling;
using static TorchSharp.torch;

namespace ClipSharp.Training.Finetuning;

/// <summary>
/// Initialises a model from <c>pretrained</c>: a weights file (safetensors, OpenCLIP .bin/.pt) or a model folder (a
/// ClipSharp run folder, a local OpenCLIP / CLIPS Hugging Face repository: <see cref="HfModelDirectory"/>). Loading
/// is strict, with one allowance each way for the CLIPS captioner: a checkpoint of the encoders alone (the released
/// CLIPS weights) leaves a captioner model's <c>text_decoder.*</c> at its initialisation, and a captioner checkpoint's
/// <c>text_decoder.*</c> is dropped for an encoder-only model.
/// </summary>
public static class PretrainedWeights
{
    private const string Decoder = "text_decoder.";

    /// <summary>The weights file <paramref name="pretrained"/> names (the folder's weights for a folder).</summary>
    public static string WeightsFile(string pretrained) =>
        Directory.Exists(pretrained) ? HfModelDirectory.Open(pretrained).WeightsPath
        : File.Exists(pretrained) ? pretrained
        : throw new ClipSharpException($"pretrained {pretrained}: no such file or model folder.");

    /// <summary>The vocabulary folder a pretrained model folder offers (null for a file, or a folder without one).</summary>
    public static string? VocabFolder(string? pretrained) =>
        pretrained is not null && Directory.Exists(pretrained) && HfModelDirectory.Open(pretrained) is { } d
            && (d.VocabTxt ?? d.BpeVocab) is not null ? pretrained : null;

    /// <summary>Loads <paramref name="pretrained"/> into <paramref name="model"/>; returns one line saying what was loaded.</summary>
    public static string Load(nn.Module model, string pretrained)
    {
        var path = WeightsFile(pretrained);
        using var weights = CheckpointReader.Read(path);
        var own = model.state_dict();
        bool modelHasDecoder = own.Keys.Any(IsDecoder), fileHasDecoder = weights.Keys.Any(IsDecoder);
        var sd = weights.Where(kv => modelHasDecoder || !IsDecoder(kv.Key)).ToDictionary(kv => kv.Key, kv => kv.Value);
        if (modelHasDecoder && !fileHasDecoder)
            foreach (var (k, t) in own.Where(kv => IsDecoder(kv.Key))) sd[k] = t;   // keeps the captioner's initialisation
        StateDictLoader.Load(model, sd, strict: true, source: path);
        var note = modelHasDecoder == fileHasDecoder ? "" : modelHasDecoder
            ? "; the captioner (text_decoder.*) starts from its initialisation" : "; the checkpoint's captioner (text_decoder.*) is not used";
        return $"initialised from {path} ({weights.Count} tensors{note})";
    }

    private static bool IsDecoder(string key) => key.StartsWith(Decoder, StringComparison.Ordinal);
}

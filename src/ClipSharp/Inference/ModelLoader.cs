using ClipSharp.Encoders;
using System.Text.Json;
using ClipSharp.Checkpoints;
using ClipSharp.Core;
using ClipSharp.Data.Images;
using ClipSharp.Modeling;
using ClipSharp.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace ClipSharp.Inference;

/// <summary>
/// Loads a model for inference from (a) a directory holding open_clip_config.json ({model_cfg, preprocess_cfg}), the
/// weights and the tokenizer files — a ClipSharp run directory or a local OpenCLIP / CLIPS Hugging Face repository —
/// or (b) a model config (name or file) plus a checkpoint file. The weights are loaded strictly, except that a
/// captioner's <c>text_decoder.*</c> tensors are dropped when the config describes the encoders only.
/// </summary>
public static class ModelLoader
{
    /// <summary>
    /// Loads the model in <paramref name="directory"/> onto <paramref name="device"/> (CPU when null), in eval mode.
    /// <paramref name="vocabPath"/> (a vocabulary file or folder) overrides the directory's tokenizer files.
    /// </summary>
    public static ModelBundle FromDirectory(string directory, Device? device = null, string? vocabPath = null)
    {
        var hf = HfModelDirectory.Open(directory);
        var name = Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory)));
        var file = ModelConfigReader.Parse(hf.RequireConfigJson(), hf.ConfigPath!, name);
        return Build(file, hf.WeightsPath, vocabPath ?? directory, device);
    }

    /// <summary>
    /// Loads <paramref name="checkpoint"/> into the model <paramref name="config"/> describes (a shipped config name such
    /// as "ViT-B-32", a JSON file, or a directory with open_clip_config.json). The tokenizer vocabulary is looked for in
    /// <paramref name="vocabPath"/>, else beside the checkpoint.
    /// </summary>
    public static ModelBundle FromCheckpoint(string config, string checkpoint, Device? device = null, string? vocabPath = null)
    {
        if (!File.Exists(checkpoint)) throw new ClipSharpException($"{checkpoint}: checkpoint file not found.");
        var file = ModelFactory.LoadConfig(config);
        return Build(file, checkpoint, vocabPath ?? Path.GetDirectoryName(Path.GetFullPath(checkpoint))!, device);
    }

    /// <summary>The preprocessing a config implies (<see cref="ModelPreprocess.For"/>).</summary>
    public static PreprocessConfig PreprocessFor(ModelConfigFile file) => ModelPreprocess.For(file);

    private static ModelBundle Build(ModelConfigFile file, string weightsPath, string vocabPath, Device? device)
    {
        var cfg = file.Model;
        var tokenizer = TokenizerFactory.Create(new TokenizerSpec(cfg.Text.HfTokenizerName, vocabPath, cfg.Text.ContextLength) { TokenizerMode = cfg.Text.TokenizerMode });
        var model = ModelFactory.Create(cfg);
        using (var weights = CheckpointReader.Read(weightsPath))
        {
            IReadOnlyDictionary<string, Tensor> sd = weights;
            // an encoder-only config over a full CLIPS checkpoint: the captioner's tensors have nowhere to go
            if (!model.state_dict().Keys.Any(IsDecoderKey) && weights.Keys.Any(IsDecoderKey))
                sd = weights.Where(kv => !IsDecoderKey(kv.Key)).ToDictionary(kv => kv.Key, kv => kv.Value);
            StateDictLoader.Load(model, sd, strict: true, source: weightsPath);
        }
        if (device is not null && device.type != DeviceType.CPU) model.to(device);
        model.eval();
        return new ModelBundle(cfg.Name, model, tokenizer, PreprocessFor(file), weightsPath);
    }

    private static bool IsDecoderKey(string key) => key.StartsWith("text_decoder.", StringComparison.Ordinal);
}

using System.Text.Json.Nodes;
using ClipSharp.Checkpoints;
using ClipSharp.Core;
using ClipSharp.Data.Images;
using ClipSharp.Encoders;
using ClipSharp.Modeling;
using ClipSharp.Text;
using ClipSharp.Training.Checkpointing;
using ClipSharp.Training.Recipes;
using TorchSharp;
using static TorchSharp.torch;

namespace ClipSharp.Training.Runs;

/// <summary>
/// A training run's folder, laid out so that it is also an OpenCLIP / Hugging Face model directory:
/// <code>
/// RUN/open_clip_config.json   {"model_cfg": ..., "preprocess_cfg": ...}
/// RUN/model.safetensors       final weights, OpenCLIP key names (written at the end)
/// RUN/vocab.txt               the WordPiece vocabulary (CLIPS tokenizer models), with
/// RUN/tokenizer_config.json   tokenizer_config.json + special_tokens_map.json so that OpenCLIP's HFTokenizer
/// RUN/special_tokens_map.json (transformers AutoTokenizer) loads it; text_cfg says tokenizer_mode "clips"
/// RUN/recipe.json             the resolved recipe (overrides applied)
/// RUN/metrics.jsonl, RUN/tensorboard/, RUN/checkpoints/step-NNNNNNNN/, RUN/results.json, RUN/report.html
/// </code>
/// </summary>
public sealed record RunDirectory(string Root)
{
    /// <summary>The final weights.</summary>
    public string ModelPath => Path.Combine(Root, "model.safetensors");

    /// <summary>The final evaluation results.</summary>
    public string ResultsPath => Path.Combine(Root, "results.json");

    /// <summary>The per-step metrics.</summary>
    public string MetricsPath => Path.Combine(Root, Metrics.MetricsLog.FileName);

    /// <summary>The resolved recipe.</summary>
    public string RecipePath => Path.Combine(Root, "recipe.json");

    /// <summary>The HTML report.</summary>
    public string ReportPath => Path.Combine(Root, "report.html");

    /// <summary>Writes the files that describe the run before it starts (idempotent; a resumed run rewrites them).</summary>
    public void WriteDescription(Recipe recipe, ModelConfigFile model, PreprocessConfig preprocess, string? vocabPath)
    {
        Directory.CreateDirectory(Root);
        CheckpointStore.WriteFileDurably(RecipePath, RecipeReader.ToJson(recipe));
        var modelCfg = RawModelConfig(model);
        if (vocabPath is not null && File.Exists(vocabPath))
        {
            var name = TokenizerFactory.WordPieceFiles.Contains(Path.GetFileName(vocabPath)) || vocabPath.EndsWith(".txt", StringComparison.Ordinal)
                ? "vocab.txt" : Path.GetFileName(vocabPath);
            var target = Path.Combine(Root, name);
            if (Path.GetFullPath(target) != Path.GetFullPath(vocabPath)) File.Copy(vocabPath, target, overwrite: true);
            if (name == "vocab.txt" && IsWordPiece(model)) WriteHfTokenizer(modelCfg, target, model.Model.Text.ContextLength);
        }
        var config = new JsonObject
        {
            ["model_cfg"] = modelCfg,
            ["preprocess_cfg"] = JsonNode.Parse(preprocess.ToJson()),
        };
        CheckpointStore.WriteFileDurably(Path.Combine(Root, HfModelDirectory.ConfigName), config.ToJsonString(new() { WriteIndented = true }));
    }

    private static bool IsWordPiece(ModelConfigFile model) =>
        TokenizerFactory.IsWordPiece(model.Model.Text.HfTokenizerName) || model.Model.Text.TokenizerMode == HfTokenizerFiles.ClipsMode;

    // The run's vocab.txt as a Hugging Face tokenizer folder, and text_cfg pointing OpenCLIP at it (CLIPS layout).
    private void WriteHfTokenizer(JsonNode modelCfg, string vocabTxt, int contextLength)
    {
        var vocab = WordPieceVocabulary.Load(vocabTxt);
        HfTokenizerFiles.Write(Root, vocab, contextLength, CheckpointStore.WriteFileDurably);
        if (modelCfg["text_cfg"] is not JsonObject text) modelCfg["text_cfg"] = text = new JsonObject();
        HfTokenizerFiles.AdaptTextConfig(text, vocab, HfTokenizerFiles.IsBertBaseUncased(vocabTxt));
    }

    /// <summary>The model's state dict as CPU tensors with OpenCLIP names (copies, safe to write after the step); floating
    /// tensors in fp32 whatever the training precision (a pure_bf16 run writes the same files as an fp32 one).</summary>
    public static Dictionary<string, Tensor> StateDict(nn.Module model)
    {
        var d = new Dictionary<string, Tensor>();
        foreach (var (name, t) in model.state_dict())
            d[name] = (t.is_floating_point() && t.dtype != ScalarType.Float32 ? t.detach().cpu().to(ScalarType.Float32) : t.detach().cpu()).contiguous().clone();
        return d;
    }

    /// <summary>Writes the final weights atomically (temp file + rename).</summary>
    public void WriteModel(nn.Module model, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var tmp = ModelPath + $".tmp-{Environment.ProcessId}";
        var sd = StateDict(model);
        try { SafeTensorsWriter.Save(tmp, sd, metadata); }
        finally { foreach (var t in sd.Values) t.Dispose(); }
        File.Move(tmp, ModelPath, overwrite: true);
    }

    // The model_cfg object as the config file has it (bare or inside {model_cfg, ...}).
    private static JsonNode RawModelConfig(ModelConfigFile model)
    {
        var root = JsonNode.Parse(File.ReadAllText(model.Path), documentOptions: new() { CommentHandling = System.Text.Json.JsonCommentHandling.Skip, AllowTrailingCommas = true })
                   ?? throw new ClipSharpException($"{model.Path}: empty model config.");
        return (root["model_cfg"] ?? root).DeepClone();
    }

    /// <summary>The image transform of a model: the same rule the inference loader applies (<see cref="ModelPreprocess.For"/>).</summary>
    public static PreprocessConfig Preprocess(ModelConfigFile model) => ModelPreprocess.For(model);
}

using System.CommandLine;
using ClipSharp.Checkpoints;

namespace ClipSharp.Cli.Commands;

/// <summary>`clipsharp info checkpoint|dir`: tensors, parameters, dtypes, inferred architecture, matching configs.</summary>
public static class InfoCommand
{
    public static Command Create()
    {
        var path = new Argument<string>("checkpoint") { Description = "A checkpoint file (safetensors, .bin/.pt) or a Hugging Face style model directory." };
        var configs = new Option<string[]>("--configs") { Description = "Extra folders of model config JSON files to compare with.", AllowMultipleArgumentsPerToken = true };
        var cmd = new Command("info", "Describe a checkpoint: tensors, parameter count, dtypes, architecture and which model configs it matches.");
        cmd.Arguments.Add(path);
        cmd.Options.Add(configs);
        cmd.SetAction(r =>
        {
            var dirs = ModelConfigMatcher.DefaultDirectories(Environment.CurrentDirectory, AppContext.BaseDirectory)
                .Concat(r.GetValue(configs) ?? []).ToList();
            var s = CheckpointSummary.Inspect(r.GetValue(path)!, dirs);
            foreach (var line in Describe(s, dirs)) Console.WriteLine(line);
            return 0;
        });
        return cmd;
    }

    private static IEnumerable<string> Describe(CheckpointSummary s, List<string> dirs)
    {
        var a = s.Architecture;
        yield return $"checkpoint   {s.Path} ({s.Format})";
        if (s.Directory is { } d)
            yield return $"directory    config {Name(d.ConfigPath)}, tokenizer files: {string.Join(", ", new[] { d.VocabTxt, d.TokenizerJson, d.TokenizerConfigJson, d.SpecialTokensMapJson, d.BpeVocab }.OfType<string>().Select(Path.GetFileName).DefaultIfEmpty("none"))}";
        yield return $"tensors      {s.Tensors.Count} tensors, {s.ParameterCount:N0} parameters";
        yield return $"dtypes       {string.Join(", ", s.DTypeCounts.OrderByDescending(kv => kv.Value).Select(kv => $"{kv.Key} x{kv.Value}"))}";
        yield return a.Vision is { IsResNet: true } r
            ? $"vision       ResNet (OpenCLIP ModifiedResNet) width {r.Width}, blocks per stage [{string.Join(", ", r.StageBlocks!)}], image {r.ImageSize}, attention pool{Out(r.OutputDim)}"
            : a.Vision is { } v
            ? $"vision       ViT width {v.Width}, {v.Layers} layers, patch {v.PatchSize}, image {v.ImageSize}; {(v.HasClassEmbedding ? "class token" : "no class token")}, {(v.HasLnPre ? "ln_pre" : "no ln_pre (CLIPS-style)")}{(v.HasAttentionalPool ? ", attentional pool" : "")}{Out(v.OutputDim)}"
            : "vision       no OpenCLIP image tower (neither visual.conv1.weight nor visual.layer1.0.conv1.weight)";
        yield return a.Text is { } t
            ? $"text         width {t.Width}, {t.Layers} layers, context {t.ContextLength}, vocab {t.VocabSize}{(t.Prefix.Length > 0 ? $" (under '{t.Prefix}')" : "")}{(t.HasClsEmbedding ? ", cls_emb" : "")}{Out(t.OutputDim)}"
            : "text         no OpenCLIP text tower (token_embedding.weight absent)";
        yield return $"embed_dim    {a.EmbedDim?.ToString() ?? "unknown"}";
        yield return a.Decoder is { } dec
            ? $"decoder      {dec.Kind}: width {dec.Width}, {dec.Layers} layers{(dec.NumLearnableTokens is { } q ? $", {q} learnable queries" : "")}"
            : "decoder      none (contrastive towers only)";
        yield return $"logit        scale {(a.HasLogitScale ? "yes" : "no")}, bias {(a.HasLogitBias ? "yes" : "no")}";
        var matches = s.Matches.ToList();
        if (matches.Count > 0)
            foreach (var m in matches) yield return $"matches      {m.Name} ({m.Path})";
        else if (s.Configs.Count > 0)
            yield return $"matches      none of {s.Configs.Count} configs; closest {s.Configs[0].Name}: {string.Join("; ", s.Configs[0].Differences)}";
        else
            yield return $"matches      no model configs found (looked in {(dirs.Count == 0 ? "no folders" : string.Join(", ", dirs))} and beside the checkpoint)";
    }

    private static string Out(int? dim) => dim is { } d ? $" -> {d}" : "";

    private static string Name(string? path) => path == null ? "missing" : Path.GetFileName(path);
}

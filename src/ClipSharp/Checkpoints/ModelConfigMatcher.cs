using System.Text.Json;

namespace ClipSharp.Checkpoints;

/// <summary>
/// Compares an <see cref="ArchitectureGuess"/> with OpenCLIP model-config JSON files read raw (plain or wrapped in
/// {"model_cfg": ...} as in open_clip_config.json): embed_dim, vision_cfg.width/layers/patch_size/image_size and
/// text_cfg.width/layers/context_length/vocab_size, with OpenCLIP's defaults for absent keys. Files that are not
/// ViT/transformer model configs (ResNet towers, HF text towers, other JSON) are skipped.
/// </summary>
public static class ModelConfigMatcher
{
    // OpenCLIP CLIPVisionCfg / CLIPTextCfg defaults.
    private const int VisionWidth = 768, TextWidth = 512, Layers = 12, Patch = 16, Image = 224, Context = 77, Vocab = 49408;

    /// <summary>Compares with every readable config in <paramref name="jsonFiles"/>, matches first, then by fewest differences.</summary>
    public static IReadOnlyList<ConfigMatch> Compare(ArchitectureGuess arch, IEnumerable<string> jsonFiles) =>
        jsonFiles.Distinct().Select(f => CompareOne(arch, f)).OfType<ConfigMatch>()
            .OrderBy(m => m.Differences.Count).ThenBy(m => m.Name, StringComparer.Ordinal).ToList();

    /// <summary>The *.json files of each existing directory.</summary>
    public static IEnumerable<string> JsonFilesIn(IEnumerable<string> directories) =>
        directories.Where(Directory.Exists).SelectMany(d => Directory.EnumerateFiles(d, "*.json").Order(StringComparer.Ordinal));

    /// <summary>
    /// Where model configs live by default: `configs/models` of the repository above <paramref name="startDirectory"/>
    /// (the folder holding ClipSharp.sln) and `configs/models` beside the running program.
    /// </summary>
    public static IReadOnlyList<string> DefaultDirectories(string startDirectory, string programDirectory)
    {
        var dirs = new List<string>();
        for (var d = new DirectoryInfo(startDirectory); d != null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "ClipSharp.sln"))) { dirs.Add(Path.Combine(d.FullName, "configs", "models")); break; }
        dirs.Add(Path.Combine(programDirectory, "configs", "models"));
        return dirs.Where(Directory.Exists).Select(Path.GetFullPath).Distinct().ToList();
    }

    private static ConfigMatch? CompareOne(ArchitectureGuess arch, string file)
    {
        JsonElement root;
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(file), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            root = doc.RootElement.Clone();
        }
        catch (Exception e) when (e is JsonException or IOException) { return null; }
        if (root.ValueKind != JsonValueKind.Object) return null;
        if (root.TryGetProperty("model_cfg", out var wrapped) && wrapped.ValueKind == JsonValueKind.Object) root = wrapped;
        if (!root.TryGetProperty("embed_dim", out var embedEl) || !embedEl.TryGetInt32(out var embed)) return null;
        var v = Section(root, "vision_cfg");
        var t = Section(root, "text_cfg");
        // timm or HF towers are not described by these fields.
        if (v is { } ve && ve.TryGetProperty("timm_model_name", out var tm) && tm.ValueKind == JsonValueKind.String) return null;
        if (t is { } te && te.TryGetProperty("hf_model_name", out var hm) && hm.ValueKind == JsonValueKind.String) return null;

        var diffs = new List<string>();
        void Check(string field, int expected, int? actual)
        {
            if (actual == null) diffs.Add($"{field}: config {expected}, checkpoint has no such tower");
            else if (actual != expected) diffs.Add($"{field}: config {expected}, checkpoint {actual}");
        }
        Check("embed_dim", embed, arch.EmbedDim);
        Check("vision_cfg.width", Int(v, "width", VisionWidth), arch.Vision?.Width);
        var stages = Stages(v);
        if (stages is not null || arch.Vision?.IsResNet == true)
        {
            // a ResNet (layers as a list): the blocks per stage must agree, and a ViT checkpoint never matches one
            string want = stages is null ? "a ViT" : $"[{string.Join(", ", stages)}]";
            string? got = arch.Vision is null ? null : arch.Vision.IsResNet ? $"[{string.Join(", ", arch.Vision.StageBlocks!)}]" : "a ViT";
            if (got == null) diffs.Add($"vision_cfg.layers: config {want}, checkpoint has no such tower");
            else if (got != want) diffs.Add($"vision_cfg.layers: config {want}, checkpoint {got}");
        }
        else
        {
            Check("vision_cfg.layers", Int(v, "layers", Layers), arch.Vision?.Layers);
            Check("vision_cfg.patch_size", Int(v, "patch_size", Patch), arch.Vision?.PatchSize);
        }
        Check("vision_cfg.image_size", Int(v, "image_size", Image), arch.Vision?.ImageSize);
        Check("text_cfg.width", Int(t, "width", TextWidth), arch.Text?.Width);
        Check("text_cfg.layers", Int(t, "layers", Layers), arch.Text?.Layers);
        Check("text_cfg.context_length", Int(t, "context_length", Context), arch.Text?.ContextLength);
        Check("text_cfg.vocab_size", Int(t, "vocab_size", Vocab), arch.Text?.VocabSize);
        return new ConfigMatch(Path.GetFileNameWithoutExtension(file), file, diffs);
    }

    private static JsonElement? Section(JsonElement root, string name) =>
        root.TryGetProperty(name, out var s) && s.ValueKind == JsonValueKind.Object ? s : null;

    // vision_cfg.layers as a list (a ResNet's blocks per stage), else null.
    private static int[]? Stages(JsonElement? v) =>
        v is { } s && s.TryGetProperty("layers", out var l) && l.ValueKind == JsonValueKind.Array
            ? l.EnumerateArray().Select(e => e.TryGetInt32(out var i) ? i : -1).ToArray() : null;

    // An int field; image_size may be [h, w] (square only is compared).
    private static int Int(JsonElement? section, string name, int fallback)
    {
        if (section is not { } s || !s.TryGetProperty(name, out var e)) return fallback;
        if (e.ValueKind == JsonValueKind.Number && e.TryGetInt32(out var i)) return i;
        if (e.ValueKind == JsonValueKind.Array && e.GetArrayLength() == 2 && e[0].TryGetInt32(out var h)) return h;
        return -1;
    }
}

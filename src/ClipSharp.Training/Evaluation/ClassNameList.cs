using ClipSharp.Core;
using ClipSharp.Modeling;

namespace ClipSharp.Evaluation;

/// <summary>
/// Text lists used by zero-shot classification: class names and prompt templates, one per line (blank lines and
/// lines starting with '#' skipped). Templates mark the class name with "{}". Built-in template sets ship in
/// configs/zeroshot: "openai" (the 80 OpenAI ImageNet prompts), "openai-selected" (their 7-prompt subset), "simple"
/// ("a photo of a {}.").
/// </summary>
public static class ClassNameList
{
    /// <summary>Built-in template set names → file names under configs/zeroshot.</summary>
    public static readonly IReadOnlyDictionary<string, string> BuiltInTemplates = new Dictionary<string, string>
    {
        ["openai"] = "openai_imagenet_templates.txt",
        ["openai-selected"] = "openai_imagenet_templates_selected.txt",
        ["simple"] = "simple_templates.txt",
    };

    /// <summary>The non-empty, non-comment lines of a file (trimmed).</summary>
    public static List<string> Load(string path)
    {
        if (!File.Exists(path)) throw new ClipSharpException($"{path}: list file not found.");
        var lines = File.ReadLines(path).Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')).ToList();
        if (lines.Count == 0) throw new ClipSharpException($"{path}: the list is empty.");
        return lines;
    }

    /// <summary>Templates from a file path or a built-in set name ("openai", "openai-selected", "simple").</summary>
    public static List<string> LoadTemplates(string nameOrPath)
    {
        if (File.Exists(nameOrPath)) return Load(nameOrPath);
        if (!BuiltInTemplates.TryGetValue(nameOrPath, out var file))
            throw new ClipSharpException($"Templates \"{nameOrPath}\" are neither a file nor a built-in set ({string.Join(", ", BuiltInTemplates.Keys)}).");
        var tried = ZeroShotFolders().Select(d => Path.Combine(d, file)).ToList();
        return tried.FirstOrDefault(File.Exists) is { } found ? Load(found)
            : throw new ClipSharpException($"Built-in templates \"{nameOrPath}\" not found (looked for {string.Join(", ", tried)}).");
    }

    // configs/zeroshot beside each configs/models folder the model factory searches
    private static IEnumerable<string> ZeroShotFolders() =>
        ModelFactory.ConfigFolders().Select(f => Path.Combine(Path.GetDirectoryName(Path.GetFullPath(f))!, "zeroshot")).Distinct();
}

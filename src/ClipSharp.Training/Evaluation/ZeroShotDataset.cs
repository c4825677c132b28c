using ClipSharp.Core;

namespace ClipSharp.Evaluation;

/// <summary>
/// A labelled image set for zero-shot classification: image files, the class index of each, and the class names
/// prompts are built from.
/// </summary>
public sealed record ZeroShotDataset(string Name, IReadOnlyList<string> ImagePaths, IReadOnlyList<int> Labels, IReadOnlyList<string> ClassNames)
{
    /// <summary>Image file extensions picked up from folders.</summary>
    public static readonly IReadOnlyList<string> ImageExtensions = [".jpg", ".jpeg", ".png", ".webp", ".bmp", ".gif", ".tif", ".tiff"];

    /// <summary>
    /// One sub-folder per class (ordinal order of folder names = class index). Class names come from
    /// <paramref name="classNamesFile"/> (one per line, in that same order, as many as folders) or else from the folder
    /// names with '_' read as a space.
    /// </summary>
    public static ZeroShotDataset FromImageFolder(string root, string? classNamesFile = null)
    {
        if (!Directory.Exists(root)) throw new ClipSharpException($"{root}: image folder not found.");
        var folders = Directory.GetDirectories(root).Order(StringComparer.Ordinal).ToList();
        if (folders.Count == 0) throw new ClipSharpException($"{root}: no class sub-folders (expected one folder of images per class).");
        var names = classNamesFile is null
            ? folders.Select(f => Path.GetFileName(f).Replace('_', ' ')).ToList()
            : ClassNameList.Load(classNamesFile);
        if (names.Count != folders.Count)
            throw new ClipSharpException($"{classNamesFile}: {names.Count} class names for {folders.Count} class folders in {root}.");
        var paths = new List<string>();
        var labels = new List<int>();
        for (int c = 0; c < folders.Count; c++)
            foreach (var f in Directory.EnumerateFiles(folders[c], "*", SearchOption.AllDirectories).Where(IsImage).Order(StringComparer.Ordinal))
            {
                paths.Add(f);
                labels.Add(c);
            }
        if (paths.Count == 0) throw new ClipSharpException($"{root}: no image files in the class folders.");
        return new ZeroShotDataset(Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(root))), paths, labels, names);
    }

    /// <summary>
    /// A CSV of <c>path,label</c> rows (an optional header row naming "path"/"filepath" and "label" is skipped; paths
    /// relative to <paramref name="imageRoot"/>, default the CSV's folder). A label is a class index into
    /// <paramref name="classNamesFile"/>, or a class name; without a names file the classes are the distinct labels in
    /// ordinal order.
    /// </summary>
    public static ZeroShotDataset FromCsv(string csvPath, string? imageRoot = null, string? classNamesFile = null)
    {
        if (!File.Exists(csvPath)) throw new ClipSharpException($"{csvPath}: CSV file not found.");
        imageRoot ??= Path.GetDirectoryName(Path.GetFullPath(csvPath))!;
        var rows = new List<(string Path, string Label, int Line)>();
        int line = 0;
        foreach (var raw in File.ReadLines(csvPath))
        {
            line++;
            if (raw.Trim().Length == 0) continue;
            int comma = raw.LastIndexOf(',');
            if (comma <= 0) throw new ClipSharpException($"{csvPath}: line {line} is not \"path,label\".");
            var (p, l) = (Unquote(raw[..comma]), Unquote(raw[(comma + 1)..]));
            if (rows.Count == 0 && line == 1 && p.ToLowerInvariant() is "path" or "filepath" or "image" or "file" && l.Equals("label", StringComparison.OrdinalIgnoreCase)) continue;
            rows.Add((Path.Combine(imageRoot, p), l, line));
        }
        if (rows.Count == 0) throw new ClipSharpException($"{csvPath}: no rows.");
        var names = classNamesFile is null ? rows.Select(r => r.Label).Distinct().Order(StringComparer.Ordinal).ToList() : ClassNameList.Load(classNamesFile);
        var byName = names.Select((n, i) => (n, i)).GroupBy(t => t.n).ToDictionary(g => g.Key, g => g.First().i);
        var labels = rows.Select(r =>
            byName.TryGetValue(r.Label, out var i) ? i
            : int.TryParse(r.Label, out var k) && k >= 0 && k < names.Count ? k
            : throw new ClipSharpException($"{csvPath}: line {r.Line} has label \"{r.Label}\", neither a class name nor an index below {names.Count}.")).ToList();
        var missing = rows.FirstOrDefault(r => !File.Exists(r.Path));
        if (missing.Path is not null) throw new ClipSharpException($"{csvPath}: line {missing.Line} names {missing.Path}, which does not exist.");
        return new ZeroShotDataset(Path.GetFileNameWithoutExtension(csvPath), rows.Select(r => r.Path).ToList(), labels, names);
    }

    private static bool IsImage(string path) => ImageExtensions.Contains(Path.GetExtension(path).ToLowerInvariant());

    private static string Unquote(string s)
    {
        s = s.Trim();
        return s.Length >= 2 && s[0] == '"' && s[^1] == '"' ? s[1..^1].Replace("\"\"", "\"") : s;
    }
}

using System.Text.Json;
using ClipSharp.Core;

namespace ClipSharp.Evaluation;

/// <summary>One fine-grained bag as evaluated: image files and their captions, differing in one attribute.</summary>
/// <remarks><paramref name="Attribute"/>: what the bag's images differ in ("colour", "shape", ... for the built-in world; any name for other bag sets), lower case.</remarks>
public sealed record EvalBag(int BagId, string Attribute, IReadOnlyList<string> ImagePaths, IReadOnlyList<string> Captions);

/// <summary>
/// The built-in world's fine-grained bags (<c>bags/bags.json</c>: <c>[{bag_id, attribute, target_object, images:
/// [{file, caption, scene}]}]</c>, files relative to the bags folder; see <c>Scenes.WorldGenerator</c>).
/// </summary>
public sealed record BagSet(string Name, IReadOnlyList<EvalBag> Bags)
{
    /// <summary>Loads a bags.json file, a bags folder, or a world root (holding bags/bags.json).</summary>
    public static BagSet Load(string path)
    {
        var file = File.Exists(path) ? path
            : File.Exists(Path.Combine(path, "bags.json")) ? Path.Combine(path, "bags.json")
            : File.Exists(Path.Combine(path, "bags", "bags.json")) ? Path.Combine(path, "bags", "bags.json")
            : throw new ClipSharpException($"{path}: no bags.json (looked for the file, {path}/bags.json and {path}/bags/bags.json).");
        var dir = Path.GetDirectoryName(Path.GetFullPath(file))!;
        JsonDocument doc;
        try { doc = JsonDocument.Parse(File.ReadAllText(file)); }
        catch (JsonException e) { throw new ClipSharpException($"{file}: not valid JSON ({e.Message}).", e); }
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Array) throw new ClipSharpException($"{file}: expected a JSON array of bags.");
            var bags = new List<EvalBag>();
            int n = 0;
            foreach (var b in doc.RootElement.EnumerateArray())
            {
                n++;
                try
                {
                    var attr = b.GetProperty("attribute").GetString()?.Trim().ToLowerInvariant();
                    if (string.IsNullOrEmpty(attr) || int.TryParse(attr, out _))
                        throw new ClipSharpException($"{file}: bag {n} has no attribute name (\"{attr}\"); expected what its images differ in, e.g. \"colour\".");
                    var images = b.GetProperty("images").EnumerateArray().ToList();
                    var paths = images.Select(i => Path.Combine(dir, i.GetProperty("file").GetString()!)).ToList();
                    var caps = images.Select(i => i.GetProperty("caption").GetString()!).ToList();
                    if (paths.Count < 2) throw new ClipSharpException($"{file}: bag {n} has {paths.Count} image(s); a bag needs at least 2.");
                    if (paths.FirstOrDefault(p => !File.Exists(p)) is { } missing) throw new ClipSharpException($"{file}: bag {n} image {missing} is missing.");
                    bags.Add(new EvalBag(b.GetProperty("bag_id").GetInt32(), attr, paths, caps));
                }
                catch (Exception e) when (e is KeyNotFoundException or InvalidOperationException or FormatException)
                {
                    throw new ClipSharpException($"{file}: bag {n} is malformed ({e.Message}); expected bag_id, attribute and images [{{file, caption}}].", e);
                }
            }
            if (bags.Count == 0) throw new ClipSharpException($"{file}: no bags.");
            return new BagSet(Path.GetFileName(Path.GetDirectoryName(dir)) is { Length: > 0 } world ? $"{world}-bags" : "bags", bags);
        }
    }
}

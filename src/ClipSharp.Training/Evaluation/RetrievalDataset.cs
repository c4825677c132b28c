using System.Text.Json;
using ClipSharp.Core;

namespace ClipSharp.Evaluation;

/// <summary>
/// An image–text retrieval set: image files, captions, and for each caption the index of its image. Images without
/// captions are not part of it.
/// </summary>
public sealed record RetrievalDataset(string Name, IReadOnlyList<string> ImagePaths, IReadOnlyList<string> Captions, IReadOnlyList<int> CaptionImage)
{
    /// <summary>
    /// For each caption, what it states (<see cref="Data.CaptionStatements"/>) when every sentence of the file carries
    /// a <c>"mention"</c> record (the built-in world's eval files do); otherwise null.
    /// </summary>
    public IReadOnlyList<IReadOnlySet<string>>? CaptionStates { get; init; }

    /// <summary>
    /// Reads the Karpathy split layout (dataset_coco.json, dataset_flickr30k.json, the built-in world's
    /// eval/dataset_eval.json): <c>{"dataset": name, "images": [{"filepath"?, "filename", "split", "sentences":
    /// [{"raw"}]}]}</c>. Image i is <c>imageRoot/filepath/filename</c> (COCO: filepath "val2014"; Flickr30K: no filepath).
    /// Only images whose split is <paramref name="split"/> are kept; captions are the raw sentences.
    /// </summary>
    public static RetrievalDataset FromKarpathyJson(string jsonPath, string imageRoot, string split = "test")
    {
        if (!File.Exists(jsonPath)) throw new ClipSharpException($"{jsonPath}: Karpathy split file not found.");
        if (!Directory.Exists(imageRoot)) throw new ClipSharpException($"{imageRoot}: image root folder not found.");
        JsonDocument doc;
        try { doc = JsonDocument.Parse(File.ReadAllText(jsonPath)); }
        catch (JsonException e) { throw new ClipSharpException($"{jsonPath}: not valid JSON ({e.Message}).", e); }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("images", out var images) || images.ValueKind != JsonValueKind.Array)
                throw new ClipSharpException($"{jsonPath}: expected an object with an \"images\" array (Karpathy layout).");
            var name = root.TryGetProperty("dataset", out var d) && d.ValueKind == JsonValueKind.String ? d.GetString()! : Path.GetFileNameWithoutExtension(jsonPath);
            var paths = new List<string>();
            var captions = new List<string>();
            var owner = new List<int>();
            var states = new List<IReadOnlySet<string>>();
            var splits = new HashSet<string>();
            int index = 0;
            foreach (var img in images.EnumerateArray())
            {
                index++;
                var s = Str(img, "split", jsonPath, index);
                splits.Add(s);
                if (s != split) continue;
                var file = Str(img, "filename", jsonPath, index);
                var path = img.TryGetProperty("filepath", out var fp) && fp.ValueKind == JsonValueKind.String
                    ? Path.Combine(imageRoot, fp.GetString()!, file) : Path.Combine(imageRoot, file);
                if (!img.TryGetProperty("sentences", out var sents) || sents.ValueKind != JsonValueKind.Array)
                    throw new ClipSharpException($"{jsonPath}: image {index} ({file}) has no \"sentences\" array.");
                int before = captions.Count;
                foreach (var sent in sents.EnumerateArray())
                {
                    if (!sent.TryGetProperty("raw", out var raw) || raw.ValueKind != JsonValueKind.String)
                        throw new ClipSharpException($"{jsonPath}: a sentence of image {index} ({file}) has no \"raw\" text.");
                    captions.Add(raw.GetString()!);
                    owner.Add(paths.Count);
                    if (sent.TryGetProperty("mention", out var mention) && mention.ValueKind != JsonValueKind.Null)
                        states.Add(Data.CaptionStatements.Of(mention, $"{jsonPath}: image {index} ({file}), caption {captions.Count - before}"));
                }
                if (captions.Count > before) paths.Add(path);
            }
            if (paths.Count == 0)
                throw new ClipSharpException($"{jsonPath}: no captioned images in split \"{split}\" (splits present: {string.Join(", ", splits.Order())}).");
            var missing = paths.Where(p => !File.Exists(p)).ToList();
            if (missing.Count > 0)
                throw new ClipSharpException($"{jsonPath}: {missing.Count} of {paths.Count} images are missing under {imageRoot}, first {missing[0]}.");
            return new RetrievalDataset(name, paths, captions, owner) { CaptionStates = states.Count == captions.Count ? states : null };
        }
    }

    private static string Str(JsonElement e, string key, string file, int index) =>
        e.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString()!
            : throw new ClipSharpException($"{file}: image {index} has no string \"{key}\".");
}

using ClipSharp.Core;

namespace ClipSharp.Data.Sources;

/// <summary>
/// A folder of images (jpg, jpeg, png, webp; searched recursively, sorted by relative path, ordinal) with caption
/// sidecars beside each image: <c>NAME.json</c> (the web and synthetic caption fields) and <c>NAME.txt</c> (the web
/// caption when the json has none). The key is the relative path without extension ('/' separated). Every
/// <see cref="DataSourceSpec.RowsPerShard"/> images form one shard unit. Files are read in the decode workers.
/// </summary>
public sealed class ImageFolderSource : IDataSource
{
    /// <summary>The image extensions picked up.</summary>
    public static readonly IReadOnlyList<string> Extensions = ["jpg", "jpeg", "png", "webp"];

    private readonly string _root;
    private readonly string[] _images; // relative paths, sorted
    private readonly string[] _shards;

    /// <inheritdoc/>
    public DataSourceSpec Spec { get; }

    /// <inheritdoc/>
    public IReadOnlyList<string> Shards => _shards;

    /// <summary>Number of images found.</summary>
    public int ImageCount => _images.Length;

    /// <summary>Lists the folder; throws <see cref="ClipSharpException"/> when it is missing or holds no image.</summary>
    public ImageFolderSource(DataSourceSpec spec)
    {
        Spec = spec;
        _root = Path.GetFullPath(spec.Path);
        if (!Directory.Exists(_root)) throw new ClipSharpException($"Data source \"{spec.Path}\": the image folder does not exist.");
        var options = new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true, AttributesToSkip = FileAttributes.Hidden };
        _images = Directory.EnumerateFileSystemEntries(_root, "*", options)
            .Where(f => Extensions.Contains(Path.GetExtension(f).TrimStart('.').ToLowerInvariant()))
            .Select(f => Path.GetRelativePath(_root, f).Replace(Path.DirectorySeparatorChar, '/'))
            .Order(StringComparer.Ordinal)
            .ToArray();
        if (_images.Length == 0)
            throw new ClipSharpException($"Data source \"{spec.Path}\": the folder holds no {string.Join("/", Extensions)} image.");
        int n = (_images.Length + spec.RowsPerShard - 1) / spec.RowsPerShard;
        _shards = Enumerable.Range(0, n).Select(i =>
            $"{spec.Path}#images {i * spec.RowsPerShard}-{Math.Min(_images.Length, (i + 1) * spec.RowsPerShard) - 1}").ToArray();
    }

    /// <inheritdoc/>
    public IEnumerable<SourceRecord> Read(int index)
    {
        int end = Math.Min(_images.Length, (index + 1) * Spec.RowsPerShard);
        for (int i = index * Spec.RowsPerShard; i < end; i++)
        {
            var rel = _images[i];
            var ext = Path.GetExtension(rel);
            var key = rel[..^ext.Length];
            yield return new SourceRecord(key, Spec.Path, () => Load(key, rel, ext.TrimStart('.').ToLowerInvariant()));
        }
    }

    private Sample Load(string key, string rel, string ext)
    {
        var origin = Spec.Path;
        var image = ManifestRows.ReadImageFile(Path.Combine(_root, rel), origin, key);
        string? web = null, synthetic = null;
        var stem = Path.Combine(_root, key);
        if (ReadSidecar(stem + ".json", key) is { } json)
        {
            using var doc = CaptionFields.ParseJson(json, origin, key, $"{key}.json");
            web = CaptionFields.StringField(doc.RootElement, Spec.WebField);
            synthetic = CaptionFields.StringField(doc.RootElement, Spec.SyntheticField);
        }
        if (web is null && ReadSidecar(stem + ".txt", key) is { } txt) web = CaptionFields.DecodeUtf8(txt, origin, key, $"{key}.txt");
        return new Sample(key, origin, image, ext, web, synthetic);
    }

    private byte[]? ReadSidecar(string path, string key)
    {
        try { return File.Exists(path) ? File.ReadAllBytes(path) : null; }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new BadSampleException(BadSampleReasons.UnreadableFile, Spec.Path, key, $"cannot read the caption file {path} ({e.Message})", e);
        }
    }
}

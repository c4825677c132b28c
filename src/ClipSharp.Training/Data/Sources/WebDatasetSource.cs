using ClipSharp.Core;

namespace ClipSharp.Data.Sources;

/// <summary>
/// Webdataset tar shards: consecutive members sharing a key (the member name up to the first dot of its file name)
/// form one sample. Image: the first of jpg, jpeg, png, webp (then other image extensions); web caption: the .json
/// member's <see cref="DataSourceSpec.WebField"/>, else the .txt member; synthetic caption: the .json member's
/// <see cref="DataSourceSpec.SyntheticField"/>. Caption parsing happens in <see cref="SourceRecord.Load"/>, i.e. in
/// the decode workers.
/// </summary>
public sealed class WebDatasetSource : IDataSource
{
    /// <summary>Image extensions in order of preference.</summary>
    public static readonly IReadOnlyList<string> ImageExtensions = ["jpg", "jpeg", "png", "webp", "gif", "bmp", "tif", "tiff"];

    /// <inheritdoc/>
    public DataSourceSpec Spec { get; }

    /// <inheritdoc/>
    public IReadOnlyList<string> Shards { get; }

    /// <summary>Expands the spec's path; throws when it names no shard that exists.</summary>
    public WebDatasetSource(DataSourceSpec spec)
    {
        Spec = spec;
        Shards = ShardPattern.Expand(spec.Path);
        if (Shards.Count == 0 || !Shards.Any(File.Exists))
            throw new ClipSharpException($"Data source \"{spec.Path}\": no webdataset shard found (expanded to {Shards.Count} path(s), none exists).");
    }

    /// <summary>Splits a member name into (key, extension); null when the file name has no dot.</summary>
    public static (string Key, string Ext)? SplitName(string name)
    {
        int slash = name.LastIndexOf('/');
        int dot = name.IndexOf('.', slash + 1);
        if (dot <= slash + 1 || dot == name.Length - 1) return null;
        return (name[..dot], name[(dot + 1)..].ToLowerInvariant());
    }

    /// <inheritdoc/>
    public IEnumerable<SourceRecord> Read(int index)
    {
        var path = Shards[index];
        foreach (var g in TarSampleGroups.Read(path))
            yield return g.Error is { } error ? new SourceRecord(error) : Group(path, g.Key!, g.Members!);
    }

    private SourceRecord Group(string origin, string key, IReadOnlyDictionary<string, byte[]> members) =>
        new(key, origin, () => ToSample(origin, key, members));

    /// <summary>The extension of the sample's image member (the first of <see cref="ImageExtensions"/> present); throws a missing-image <see cref="BadSampleException"/>.</summary>
    public static string ImageMember(string origin, string key, IReadOnlyDictionary<string, byte[]> members) =>
        ImageExtensions.FirstOrDefault(members.ContainsKey)
        ?? throw new BadSampleException(BadSampleReasons.MissingImage, origin, key,
            $"no image member (has {string.Join(", ", members.Keys.Order(StringComparer.Ordinal))})");

    /// <summary>Builds the sample from one key's members (throws <see cref="BadSampleException"/> for bad fields).</summary>
    public Sample ToSample(string origin, string key, IReadOnlyDictionary<string, byte[]> members)
    {
        string ext = ImageMember(origin, key, members);
        string? web = null, synthetic = null;
        if (members.TryGetValue("json", out var json))
        {
            using var doc = CaptionFields.ParseJson(json, origin, key, $"{key}.json");
            web = CaptionFields.StringField(doc.RootElement, Spec.WebField);
            synthetic = CaptionFields.StringField(doc.RootElement, Spec.SyntheticField);
        }
        if (web is null && members.TryGetValue("txt", out var txt)) web = CaptionFields.DecodeUtf8(txt, origin, key, $"{key}.txt");
        return new Sample(key, origin, members[ext], ext, web, synthetic);
    }
}

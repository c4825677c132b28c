using System.Text.Json;
using ClipSharp.Core;
using ClipSharp.Data;
using ClipSharp.Data.Sources;

namespace ClipSharp.Evaluation;

/// <summary>
/// Reads image–text retrieval samples from webdataset tar shards, in shard and member order: consecutive members
/// sharing a key form one sample (the Data layer's <see cref="WebDatasetSource.SplitName"/>), the image is the first of
/// <see cref="WebDatasetSource.ImageExtensions"/>, the captions come from <see cref="RetrievalShardOptions.CaptionField"/>.
/// Samples that cannot be used (no image, no caption, bad UTF-8 or JSON, a damaged or unreadable shard) are skipped and
/// recorded in the given <see cref="BadSampleLog"/>; image bytes are not decoded here.
/// </summary>
public static class RetrievalShardReader
{
    /// <summary>The shards <paramref name="spec"/> names (brace ranges, "::" lists, a folder); throws when none exists.</summary>
    public static IReadOnlyList<string> Shards(string spec)
    {
        var shards = ShardPattern.Expand(spec);
        if (shards.Count == 0 || !shards.Any(File.Exists))
            throw new ClipSharpException($"Webdataset \"{spec}\": no shard found (expanded to {shards.Count} path(s), none exists).");
        return shards;
    }

    /// <summary>Every usable sample of the shards, lazily; bad ones go to <paramref name="bad"/>.</summary>
    public static IEnumerable<RetrievalShardSample> Read(string spec, RetrievalShardOptions options, BadSampleLog bad)
    {
        foreach (var shard in Shards(spec))
            foreach (var (key, members) in Groups(shard, bad))
            {
                RetrievalShardSample? sample = null;
                try { sample = ToSample(shard, key, members, options); }
                catch (BadSampleException e) { bad.Record(e); }
                if (sample is not null) yield return sample;
            }
    }

    /// <summary>One sample from one key's members (throws <see cref="BadSampleException"/> when it cannot be used).</summary>
    public static RetrievalShardSample ToSample(string origin, string key, IReadOnlyDictionary<string, byte[]> members, RetrievalShardOptions options)
    {
        var ext = WebDatasetSource.ImageMember(origin, key, members);
        var field = options.CaptionField;
        List<string>? raw = null;
        if (members.TryGetValue(field.ToLowerInvariant(), out var text))
            raw = Lines(CaptionFields.DecodeUtf8(text, origin, key, $"{key}.{field}"));
        else if (members.TryGetValue("json", out var json))
        {
            using var doc = CaptionFields.ParseJson(json, origin, key, $"{key}.json");
            if (doc.RootElement.TryGetProperty(field, out var v) && v.ValueKind != JsonValueKind.Null)
                raw = v.ValueKind switch
                {
                    JsonValueKind.String => Lines(v.GetString()!),
                    JsonValueKind.Array when v.EnumerateArray().All(e => e.ValueKind == JsonValueKind.String) =>
                        v.EnumerateArray().Select(e => e.GetString()!).ToList(),
                    _ => throw new BadSampleException(BadSampleReasons.InvalidJson, origin, key,
                        $"field \"{field}\" of {key}.json is a {v.ValueKind}, not a caption or a list of captions"),
                };
        }
        if (raw is null)
            throw new BadSampleException(RetrievalSampleReasons.MissingCaption, origin, key,
                $"no captions: neither a .{field} member nor a \"{field}\" field in a .json member");
        var captions = raw.Select(c => c.Trim()).Where(c => c.Length > 0).ToList();
        if (captions.Count == 0)
            throw new BadSampleException(RetrievalSampleReasons.EmptyCaption, origin, key, $"every caption in \"{field}\" is empty");
        return new RetrievalShardSample(key, origin, members[ext], ext, captions);
    }

    private static List<string> Lines(string s) => s.Split('\n').Select(l => l.TrimEnd('\r')).ToList();

    // (key, members) per sample in member order; a read error ends the shard after the samples before it
    private static IEnumerable<(string Key, IReadOnlyDictionary<string, byte[]> Members)> Groups(string path, BadSampleLog bad)
    {
        foreach (var g in TarSampleGroups.Read(path))
        {
            if (g.Error is { } error) { bad.Record(error); yield break; }
            yield return (g.Key!, g.Members!);
        }
    }
}

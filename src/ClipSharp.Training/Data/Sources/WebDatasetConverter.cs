using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using ClipSharp.Core;

namespace ClipSharp.Data.Sources;

/// <summary>
/// Writes any readable source (JSONL/CSV/Parquet manifest, image folder with sidecars, other shards) as webdataset
/// shards <c>shard-000000.tar</c>, ... of <see cref="ConvertOptions.ShardSize"/> samples each. Per sample, with key
/// = its running number (9 digits; source keys may hold dots or slashes, which webdataset keys cannot):
/// <c>KEY.EXT</c> the original image bytes (not re-encoded; the source's extension), <c>KEY.txt</c> the web caption,
/// <c>KEY.json</c> <c>{web_field: ..., synthetic_field: ..., "source_key": ..., other manifest columns}</c>.
/// A sample whose image is missing, unreadable or empty, or whose web caption is missing or blank, or whose
/// synthetic caption is present but blank, is skipped and counted by reason (or, strict, stops the conversion).
/// </summary>
public static class WebDatasetConverter
{
    // Captions are written as UTF-8 text, not \uXXXX escapes.
    private static readonly JsonSerializerOptions JsonOut = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The JSON field holding the sample's key in the source.</summary>
    public const string SourceKeyField = "source_key";

    /// <summary>Converts <paramref name="spec"/>; <paramref name="progress"/> gets the running count of samples read.</summary>
    public static ConvertResult Convert(DataSourceSpec spec, ConvertOptions options, Action<long>? progress = null)
    {
        if (options.ShardSize < 1) throw new ClipSharpException($"Shard size must be at least 1, not {options.ShardSize}.");
        var source = DataSources.Open(spec);
        Directory.CreateDirectory(options.OutDir);
        var bad = new BadSampleLog();
        var shards = new List<string>();
        TarShardWriter? writer = null;
        long written = 0, seen = 0;
        try
        {
            for (int s = 0; s < source.Shards.Count; s++)
                foreach (var record in source.Read(s))
                {
                    progress?.Invoke(++seen);
                    Sample sample;
                    try { sample = Check(record.Load()); }
                    catch (BadSampleException e)
                    {
                        if (options.Strict) throw new ClipSharpException($"{e.Message} (--strict: stopped at the first bad sample).", e);
                        bad.Record(e);
                        continue;
                    }
                    if (written % options.ShardSize == 0)
                    {
                        writer?.Complete();
                        writer?.Dispose();
                        var path = Path.Combine(options.OutDir, $"shard-{shards.Count:D6}.tar");
                        shards.Add(path);
                        writer = new TarShardWriter(path);
                    }
                    Write(writer!, written.ToString("D9", CultureInfo.InvariantCulture), sample, spec);
                    written++;
                }
            writer?.Complete();
        }
        finally { writer?.Dispose(); }
        return new ConvertResult(shards, written, bad.Snapshot());
    }

    private static Sample Check(Sample s)
    {
        if (s.ImageBytes.Length == 0) throw new BadSampleException(BadSampleReasons.EmptyImage, s.Origin, s.Key, $"the {s.ImageExt} image is 0 bytes");
        if (s.WebCaption is null) throw new BadSampleException(BadSampleReasons.MissingWebCaption, s.Origin, s.Key, "the sample has no web caption");
        if (string.IsNullOrWhiteSpace(s.WebCaption)) throw new BadSampleException(BadSampleReasons.EmptyWebCaption, s.Origin, s.Key, "the web caption is empty");
        if (s.SyntheticCaption is not null && string.IsNullOrWhiteSpace(s.SyntheticCaption))
            throw new BadSampleException(BadSampleReasons.EmptySyntheticCaption, s.Origin, s.Key, "the synthetic caption is empty");
        return s;
    }

    private static void Write(TarShardWriter tar, string key, Sample s, DataSourceSpec spec)
    {
        var json = new JsonObject { [spec.WebField] = s.WebCaption };
        if (s.SyntheticCaption is not null) json[spec.SyntheticField] = s.SyntheticCaption;
        json[SourceKeyField] = s.Key;
        foreach (var (name, value) in s.OtherFields ?? new Dictionary<string, string>())
            if (!json.ContainsKey(name)) json[name] = value;
        var ext = s.ImageExt is { Length: > 0 } e && !e.Contains('.') ? e : "bin";
        tar.Add($"{key}.{ext}", s.ImageBytes);
        tar.Add($"{key}.txt", Encoding.UTF8.GetBytes(s.WebCaption!));
        tar.Add($"{key}.json", Encoding.UTF8.GetBytes(json.ToJsonString(JsonOut)));
    }
}

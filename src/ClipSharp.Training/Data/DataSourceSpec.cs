using System.Text.Json.Serialization;
using ClipSharp.Core;

namespace ClipSharp.Data;

/// <summary>
/// One data source as a training recipe names it (snake_case JSON). <see cref="Type"/>: "wds" (webdataset tar
/// shards), "jsonl", "csv", "parquet" (manifests whose image column is resolved against <see cref="ImageRoot"/>), or
/// "folder" (images with caption sidecars). Caption fields default to Recap-DataComp-1B: the web caption is
/// <c>org_caption</c> (for webdataset: in the .json member, falling back to the .txt member), the synthetic caption
/// is <c>re_caption</c>.
/// </summary>
public sealed record DataSourceSpec
{
    /// <summary>"wds", "jsonl", "csv", "parquet" or "folder".</summary>
    [JsonPropertyName("type")] public string Type { get; init; } = "wds";

    /// <summary>
    /// wds: one shard, a brace pattern (<c>dir/train-{000000..000009}.tar</c>, <c>{a,b}</c>), several separated by
    /// "::", or a directory (all its .tar files); manifests: the manifest file; folder: the image folder.
    /// </summary>
    [JsonPropertyName("path")] public string Path { get; init; } = "";

    /// <summary>Relative sampling weight when several sources are mixed.</summary>
    [JsonPropertyName("weight")] public double Weight { get; init; } = 1;

    /// <summary>Manifests: the folder relative image paths are resolved against (default: the manifest's folder).</summary>
    [JsonPropertyName("image_root")] public string? ImageRoot { get; init; }

    /// <summary>The web caption's field (json key / column); wds falls back to the .txt member.</summary>
    [JsonPropertyName("web_field")] public string WebField { get; init; } = "org_caption";

    /// <summary>The synthetic caption's field (json key / column).</summary>
    [JsonPropertyName("synthetic_field")] public string SyntheticField { get; init; } = "re_caption";

    /// <summary>Manifests: the column holding the image path (relative to <see cref="ImageRoot"/> or absolute).</summary>
    [JsonPropertyName("image_field")] public string ImageField { get; init; } = "image";

    /// <summary>Manifests: the column holding the sample key (default: the image path).</summary>
    [JsonPropertyName("key_field")] public string? KeyField { get; init; }

    /// <summary>Manifests: rows per shard unit (the unit of shard shuffling and of rank splitting).</summary>
    [JsonPropertyName("rows_per_shard")] public int RowsPerShard { get; init; } = 1000;

    /// <summary>The normalised type name; throws for an unknown one.</summary>
    public string NormalizedType => Type.Trim().ToLowerInvariant() switch
    {
        "wds" or "webdataset" or "tar" => "wds",
        "jsonl" or "json" => "jsonl",
        "csv" or "tsv" => "csv",
        "parquet" => "parquet",
        "folder" or "images" or "imagefolder" => "folder",
        _ => throw new ClipSharpException($"Data source \"{Path}\": unknown type \"{Type}\"; expected wds, jsonl, csv, parquet or folder."),
    };

    /// <summary>A webdataset source.</summary>
    public static DataSourceSpec Wds(string path, double weight = 1) => new() { Type = "wds", Path = path, Weight = weight };

    /// <summary>
    /// The type a path suggests: .tar / brace patterns / folders holding .tar files: wds; .jsonl/.json: jsonl; .csv;
    /// .tsv; .parquet; any other folder: folder.
    /// </summary>
    public static string InferType(string path)
    {
        var p = path.Trim();
        if (Directory.Exists(p)) return Directory.EnumerateFiles(p, "*.tar").Any() ? "wds" : "folder";
        var ext = System.IO.Path.GetExtension(p).ToLowerInvariant();
        return ext switch
        {
            ".jsonl" or ".json" => "jsonl",
            ".csv" => "csv",
            ".tsv" => "tsv",
            ".parquet" => "parquet",
            _ => "wds",
        };
    }

    /// <summary>Throws a <see cref="ClipSharpException"/> naming the first unusable value.</summary>
    public void Validate()
    {
        _ = NormalizedType;
        if (string.IsNullOrWhiteSpace(Path)) throw new ClipSharpException("A data source has no path.");
        if (!(Weight > 0) || double.IsInfinity(Weight)) throw new ClipSharpException($"Data source \"{Path}\": weight must be a positive number, not {Weight}.");
        if (RowsPerShard < 1) throw new ClipSharpException($"Data source \"{Path}\": rows_per_shard must be >= 1, not {RowsPerShard}.");
    }
}

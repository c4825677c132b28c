using System.Text;
using System.Text.Json;
using ClipSharp.Data;
using Parquet;
using Parquet.Schema;

namespace ClipSharp.Tests.Data.Loading;

/// <summary>
/// The <see cref="TestWorld"/> samples re-laid as the other source types, generated once per run: an image folder
/// with .json sidecars (<c>folder/</c>), and manifests beside an <c>img/</c> folder: manifest.jsonl (key column
/// "key"), manifest.csv and manifest.tsv (key = image path), manifest.parquet (key column "key", 3 row groups).
/// Rows are in key order.
/// </summary>
internal static class ManifestWorld
{
    private static readonly Lazy<string> Root = new(Build);

    public static string Dir => Root.Value;

    public static DataSourceSpec Spec(string type, int rowsPerShard = 25) => type switch
    {
        "folder" => new DataSourceSpec { Type = "folder", Path = Path.Combine(Dir, "folder"), RowsPerShard = rowsPerShard },
        "jsonl" => new DataSourceSpec { Type = "jsonl", Path = Path.Combine(Dir, "manifest.jsonl"), KeyField = "key", RowsPerShard = rowsPerShard },
        "parquet" => new DataSourceSpec { Type = "parquet", Path = Path.Combine(Dir, "manifest.parquet"), KeyField = "key", RowsPerShard = rowsPerShard },
        "tsv" => new DataSourceSpec { Type = "tsv", Path = Path.Combine(Dir, "manifest.tsv"), RowsPerShard = rowsPerShard },
        _ => new DataSourceSpec { Type = type, Path = Path.Combine(Dir, "manifest." + type), RowsPerShard = rowsPerShard },
    };

    /// <summary>The key each source type gives the world sample <paramref name="worldKey"/>.</summary>
    public static string KeyOf(string type, string worldKey) => type switch
    {
        "csv" or "tsv" => $"img/{worldKey}.jpg",
        "folder" => $"sub{worldKey[^1] % 2}/{worldKey}",
        _ => worldKey,
    };

    private static string Build()
    {
        var dir = Support.TestPaths.NewTempDir("clipsharp-manifest-world");
        var samples = TestWorld.ReadAll().OrderBy(kv => kv.Key, StringComparer.Ordinal).ToList();
        Directory.CreateDirectory(Path.Combine(dir, "img"));
        var jsonl = new StringBuilder();
        var csv = new StringBuilder("image,org_caption,re_caption\n");
        var tsv = new StringBuilder("image\torg_caption\tre_caption\n");
        foreach (var (key, (web, synth, jpg)) in samples)
        {
            File.WriteAllBytes(Path.Combine(dir, "img", key + ".jpg"), jpg);
            var sub = Path.Combine(dir, "folder", KeyOf("folder", key));
            Directory.CreateDirectory(Path.GetDirectoryName(sub)!);
            File.WriteAllBytes(sub + ".jpg", jpg);
            File.WriteAllText(sub + ".json", JsonSerializer.Serialize(new Dictionary<string, string> { ["org_caption"] = web, ["re_caption"] = synth }));
            jsonl.Append(JsonSerializer.Serialize(new Dictionary<string, object> { ["key"] = key, ["image"] = $"img/{key}.jpg", ["org_caption"] = web, ["re_caption"] = synth })).Append('\n');
            csv.Append($"img/{key}.jpg,{Quote(web)},{Quote(synth)}\r\n");
            tsv.Append($"img/{key}.jpg\t{Quote(web)}\t{Quote(synth)}\n");
        }
        File.WriteAllText(Path.Combine(dir, "manifest.jsonl"), jsonl.ToString());
        File.WriteAllText(Path.Combine(dir, "manifest.csv"), csv.ToString());
        File.WriteAllText(Path.Combine(dir, "manifest.tsv"), tsv.ToString());
        WriteParquet(Path.Combine(dir, "manifest.parquet"), samples.Select(s => (s.Key, (string?)$"img/{s.Key}.jpg", (string?)s.Value.Web, (string?)s.Value.Synthetic)).ToList(), groupSize: 50);
        return dir;
    }

    public static string Quote(string s) => "\"" + s.Replace("\"", "\"\"") + "\"";

    /// <summary>Writes (key, image, org_caption, re_caption) rows in row groups of <paramref name="groupSize"/>.</summary>
    public static void WriteParquet(string path, IReadOnlyList<(string Key, string? Image, string? Web, string? Synthetic)> rows, int groupSize)
    {
        var fields = new[] { new DataField<string>("key"), new DataField<string>("image"), new DataField<string>("org_caption"), new DataField<string>("re_caption") };
        using var stream = File.Create(path);
        var writer = ParquetWriter.CreateAsync(new ParquetSchema(fields), stream).GetAwaiter().GetResult();
        try
        {
            for (int start = 0; start < rows.Count; start += groupSize)
            {
                var part = rows.Skip(start).Take(groupSize).ToList();
                using var rg = writer.CreateRowGroup();
                rg.WriteAsync(fields[0], part.Select(r => (string?)r.Key).ToList()).GetAwaiter().GetResult();
                rg.WriteAsync(fields[1], part.Select(r => r.Image).ToList()).GetAwaiter().GetResult();
                rg.WriteAsync(fields[2], part.Select(r => r.Web).ToList()).GetAwaiter().GetResult();
                rg.WriteAsync(fields[3], part.Select(r => r.Synthetic).ToList()).GetAwaiter().GetResult();
            }
        }
        finally { writer.DisposeAsync().AsTask().GetAwaiter().GetResult(); }
    }
}

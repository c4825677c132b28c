using System.Formats.Tar;
using System.Text.Json;
using ClipSharp.Core;
using ClipSharp.Data;
using ClipSharp.Data.Sources;
using ClipSharp.Tests.Support;
using NetVips;

namespace ClipSharp.Tests.Data.Loading;

/// <summary><see cref="WebDatasetConverter"/>: a manifest with bad rows to shards, read back with the loader.</summary>
public class ConvertTests
{
    private const int ShardSize = 8;

    // A JSONL manifest of 20 world samples plus a PNG row, a row whose image file is missing and one with an empty
    // caption; every row has an extra "license" column. Returns (manifest, good rows in order).
    private static (string Manifest, List<(string Key, byte[] Image, string Ext, string Web, string Synthetic)> Good) Manifest(string dir)
    {
        Directory.CreateDirectory(Path.Combine(dir, "img"));
        var rows = new List<Dictionary<string, object>>();
        var good = new List<(string, byte[], string, string, string)>();
        foreach (var (key, (web, synth, jpg)) in TestWorld.ReadAll().OrderBy(kv => kv.Key, StringComparer.Ordinal).Take(20))
        {
            File.WriteAllBytes(Path.Combine(dir, "img", key + ".jpg"), jpg);
            rows.Add(new() { ["key"] = key, ["image"] = $"img/{key}.jpg", ["org_caption"] = web, ["re_caption"] = synth, ["license"] = "cc-by " + key });
            good.Add((key, jpg, "jpg", web, synth));
            if (rows.Count == 5)
            {
                rows.Add(new() { ["key"] = "gone", ["image"] = "img/gone.jpg", ["org_caption"] = "a cat", ["re_caption"] = "a grey cat", ["license"] = "x" });
                rows.Add(new() { ["key"] = "blank", ["image"] = $"img/{key}.jpg", ["org_caption"] = "  ", ["re_caption"] = "a dog", ["license"] = "x" });
            }
        }
        using (var img = Image.Black(20, 10) + 90)
        {
            var png = img.Cast(Enums.BandFormat.Uchar).PngsaveBuffer();
            File.WriteAllBytes(Path.Combine(dir, "img", "p.png"), png);
            rows.Add(new() { ["key"] = "p", ["image"] = "img/p.png", ["org_caption"] = "grey", ["re_caption"] = "a grey square", ["license"] = "cc-by p" });
            good.Add(("p", png, "png", "grey", "a grey square"));
        }
        var manifest = Path.Combine(dir, "manifest.jsonl");
        File.WriteAllLines(manifest, rows.Select(r => JsonSerializer.Serialize(r)));
        return (manifest, good);
    }

    [Fact]
    public void ManifestRoundTripsThroughShardsAndSkipsBadRows()
    {
        var dir = TestPaths.NewTempDir("clipsharp-convert");
        var (manifest, good) = Manifest(dir);
        var spec = new DataSourceSpec { Type = "jsonl", Path = manifest, KeyField = "key" };
        var outDir = Path.Combine(dir, "shards");
        var result = WebDatasetConverter.Convert(spec, new ConvertOptions(outDir, ShardSize));

        Assert.Equal(good.Count, result.Written);
        Assert.Equal((1, 1, 2), (result.Skipped[BadSampleReasons.UnreadableFile], result.Skipped[BadSampleReasons.EmptyWebCaption], result.Skipped.Total));
        Assert.Equal("gone", result.Skipped.First[BadSampleReasons.UnreadableFile].Key);
        int shards = (good.Count + ShardSize - 1) / ShardSize;
        Assert.Equal(Enumerable.Range(0, shards).Select(i => Path.Combine(outDir, $"shard-{i:D6}.tar")), result.ShardPaths);
        Assert.Equal(result.ShardPaths.Order(), Directory.GetFiles(outDir).Order());

        // Stream them back with the loader's own source reading: same bytes, extension and captions, in order.
        using var loader = new DataLoader(TestWorld.Options(batch: 5, workers: 1) with
        {
            Sources = [DataSourceSpec.Wds(outDir)], ShuffleBuffer = 0, ShuffleShards = false, DropLast = false,
        });
        var samples = loader.EpochRecords(0).Select(r => r.Load()).ToList();
        Assert.Equal(good.Count, samples.Count);
        for (int i = 0; i < good.Count; i++)
        {
            var (key, image, ext, web, synth) = good[i];
            var s = samples[i];
            Assert.Equal(i.ToString("D9"), s.Key);
            Assert.True(image.AsSpan().SequenceEqual(s.ImageBytes), $"{key}: image bytes differ");
            Assert.Equal((ext, web, synth), (s.ImageExt, s.WebCaption, s.SyntheticCaption));
        }
        var batchedKeys = new List<string>(); // batches never span epochs; the stream itself repeats epochs forever
        foreach (var b in loader.Batches())
        {
            using (b) batchedKeys.AddRange(b.Keys);
            if (batchedKeys.Count >= good.Count) break;
        }
        Assert.Equal(Enumerable.Range(0, good.Count).Select(i => i.ToString("D9")), batchedKeys);
        Assert.Equal(0, loader.BadSamples.Total);

        // The .txt member is the web caption; the .json member keeps the source key and the other columns.
        var members = ReadMembers(result.ShardPaths[0]);
        Assert.Equal(good[0].Web, System.Text.Encoding.UTF8.GetString(members["000000000.txt"]));
        using var json = JsonDocument.Parse(members["000000000.json"]);
        Assert.Equal(good[0].Key, json.RootElement.GetProperty(WebDatasetConverter.SourceKeyField).GetString());
        Assert.Equal("cc-by " + good[0].Key, json.RootElement.GetProperty("license").GetString());
        Assert.False(json.RootElement.TryGetProperty("image", out _));
    }

    [Fact]
    public void StrictStopsAtTheFirstBadSampleAndFolderSourcesConvert()
    {
        var dir = TestPaths.NewTempDir("clipsharp-convert-strict");
        var (manifest, _) = Manifest(dir);
        var spec = new DataSourceSpec { Type = "jsonl", Path = manifest, KeyField = "key" };
        var e = Assert.Throws<ClipSharpException>(() => WebDatasetConverter.Convert(spec, new ConvertOptions(Path.Combine(dir, "s"), Strict: true)));
        Assert.Contains("gone", e.Message);
        Assert.Contains("--strict", e.Message);
        Assert.Empty(Directory.GetFiles(Path.Combine(dir, "s"), "*.tar")); // the unfinished shard is removed

        var folder = ManifestWorld.Spec("folder");
        var r = WebDatasetConverter.Convert(folder, new ConvertOptions(Path.Combine(dir, "f"), ShardSize: 50));
        Assert.Equal(TestWorld.Samples, r.Written);
        Assert.Equal(0, r.Skipped.Total);
        Assert.Equal(3, r.ShardPaths.Count);
    }

    private static Dictionary<string, byte[]> ReadMembers(string shard)
    {
        var result = new Dictionary<string, byte[]>();
        using var reader = new TarReader(File.OpenRead(shard));
        while (reader.GetNextEntry() is { } entry)
        {
            var ms = new MemoryStream();
            entry.DataStream?.CopyTo(ms);
            result[entry.Name] = ms.ToArray();
        }
        return result;
    }
}

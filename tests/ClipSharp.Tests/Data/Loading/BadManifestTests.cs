using System.Text;
using ClipSharp.Data;
using ClipSharp.Text;
using static ClipSharp.Tests.Data.Loading.BadCorpus;

namespace ClipSharp.Tests.Data.Loading;

/// <summary>Bad manifest rows and folder entries are skipped and counted by reason; strict mode names manifest and key.</summary>
public class BadManifestTests
{
    private static LoaderOptions Options(DataSourceSpec spec, bool strict = false) => TestWorld.Options(batch: 1, workers: 2) with
    {
        Sources = [spec],
        Captions = new CaptionViewOptions { Tokenizer = TestWorld.Tokenizer, SyntheticFull = true },
        ShuffleBuffer = 0,
        ShuffleShards = false,
        Strict = strict,
    };

    private static (List<string> Keys, BadSampleReport Report) RunEpoch(LoaderOptions options)
    {
        using var loader = new DataLoader(options);
        var keys = new List<string>();
        foreach (var b in loader.Batches())
            using (b)
            {
                if (b.Position.Epoch > 0) break;
                keys.AddRange(b.Keys);
            }
        return (keys, loader.BadSamples);
    }

    private static void WriteImages(string dir)
    {
        Directory.CreateDirectory(Path.Combine(dir, "img", "adir.jpg"));
        for (int i = 0; i < 4; i++) File.WriteAllBytes(Path.Combine(dir, "img", $"g{i}.jpg"), Good(i).Jpg);
        File.WriteAllBytes(Path.Combine(dir, "img", "zero.jpg"), []);
        File.WriteAllBytes(Path.Combine(dir, "img", "trunc.jpg"), Truncated(Good(5).Jpg));
        File.WriteAllBytes(Path.Combine(dir, "img", "huge.png"), GiganticPng());
    }

    [Fact]
    public void JsonlAndCsvBadRowsAreSkippedAndCounted()
    {
        var dir = Support.TestPaths.NewTempDir("clipsharp-bad-manifest");
        WriteImages(dir);
        string J(string? image, string? web = "a cat", string? syn = "A cat.") =>
            "{" + string.Join(",", new[] { ("image", image), ("org_caption", web), ("re_caption", syn) }.Where(p => p.Item2 is not null)
                .Select(p => $"\"{p.Item1}\":\"{p.Item2}\"")) + "}";
        var jsonl = new MemoryStream();
        void Line(string s) => jsonl.Write(Encoding.UTF8.GetBytes(s + "\n"));
        Line(J("img/g0.jpg"));
        Line(J("img/missing.jpg"));          // unreadable_file (no such file)
        Line(J("img/adir.jpg"));             // unreadable_file (a directory)
        Line(J(null));                       // missing_image
        Line(J("img/g1.jpg"));
        Line("{\"image\": \"img/g2.jpg\", ");  // invalid_json
        jsonl.Write([.. "{\"image\":\"img/g2.jpg\",\"org_caption\":\""u8, .. InvalidUtf8, .. "\",\"re_caption\":\"x\"}\n"u8]); // invalid_utf8
        Line(J("img/zero.jpg"));             // empty_image
        Line(J("img/trunc.jpg"));            // corrupt_image
        Line(J("img/huge.png"));             // image_too_large
        Line("");                            // blank lines are not rows
        Line(J("img/g2.jpg", web: " "));     // empty_web_caption
        Line(J("img/g2.jpg", syn: null));    // missing_synthetic_caption
        Line(J("img/g3.jpg"));
        File.WriteAllBytes(Path.Combine(dir, "m.jsonl"), jsonl.ToArray());
        var (keys, report) = RunEpoch(Options(new DataSourceSpec { Type = "jsonl", Path = Path.Combine(dir, "m.jsonl"), RowsPerShard = 4 }));
        Assert.Equal(["img/g0.jpg", "img/g1.jpg", "img/g3.jpg"], keys);
        Assert.True(new Dictionary<string, long>
        {
            [BadSampleReasons.UnreadableFile] = 2, [BadSampleReasons.MissingImage] = 1, [BadSampleReasons.InvalidJson] = 1,
            [BadSampleReasons.InvalidUtf8] = 1, [BadSampleReasons.EmptyImage] = 1, [BadSampleReasons.CorruptImage] = 1,
            [BadSampleReasons.ImageTooLarge] = 1, [BadSampleReasons.EmptyWebCaption] = 1, [BadSampleReasons.MissingSyntheticCaption] = 1,
        }.OrderBy(kv => kv.Key).SequenceEqual(report.Counts.OrderBy(kv => kv.Key)), report.ToJson(true));
        Assert.Equal("row 5", report.First[BadSampleReasons.InvalidJson].Key);

        var csv = new MemoryStream();
        csv.Write("image,org_caption,re_caption\n"u8);
        csv.Write("img/g0.jpg,\"a, quoted\nmulti-line caption\",A cat.\n"u8);
        csv.Write("img/g1.jpg,a,b,c\n"u8);                                   // invalid_row
        csv.Write([.. "img/g2.jpg,"u8, .. InvalidUtf8, .. ",x\n"u8]);          // invalid_utf8
        csv.Write("img/adir.jpg,a,b\n,a,b\nimg/g3.jpg,,b\nimg/g1.jpg,\"a \"\"cat\"\"\",b\n"u8); // unreadable, missing_image, empty_web
        File.WriteAllBytes(Path.Combine(dir, "m.csv"), csv.ToArray());
        var csvSpec = new DataSourceSpec { Type = "csv", Path = Path.Combine(dir, "m.csv"), RowsPerShard = 3 };
        (keys, report) = RunEpoch(Options(csvSpec));
        Assert.Equal(["img/g0.jpg", "img/g1.jpg"], keys);
        Assert.Equal(1, report[BadSampleReasons.InvalidRow]);
        Assert.Equal(1, report[BadSampleReasons.InvalidUtf8]);
        Assert.Equal(1, report[BadSampleReasons.UnreadableFile]);
        Assert.Equal(1, report[BadSampleReasons.MissingImage]);
        Assert.Equal(1, report[BadSampleReasons.EmptyWebCaption]);
        Assert.Equal(5, report.Total);

        using var strict = new DataLoader(Options(csvSpec, strict: true));
        var e = Assert.Throws<BadSampleException>(() => { foreach (var b in strict.Batches()) b.Dispose(); });
        Assert.Equal(BadSampleReasons.InvalidRow, e.Reason);
        Assert.Contains(csvSpec.Path, e.Message);
        Assert.Contains("row 1", e.Message);
    }

    [Fact]
    public void FolderBadEntriesAreSkippedAndCounted()
    {
        var dir = Support.TestPaths.NewTempDir("clipsharp-bad-folder");
        WriteImages(dir);
        var img = Path.Combine(dir, "img");
        Directory.Move(Path.Combine(img, "adir.jpg"), Path.Combine(img, "zdir.jpg")); // sorts last: epoch 1 starts with a good image
        foreach (var n in new[] { "g0", "g1", "zero", "trunc", "huge" }) File.WriteAllBytes(Path.Combine(img, n + ".json"), Json("a cat", "A cat."));
        File.WriteAllBytes(Path.Combine(img, "g2.txt"), InvalidUtf8);         // invalid_utf8 (and no json)
        File.WriteAllText(Path.Combine(img, "g3.json"), "{\"org_caption\": \"a cat\""); // invalid_json
        var spec = new DataSourceSpec { Type = "folder", Path = img, RowsPerShard = 2 };
        var (keys, report) = RunEpoch(Options(spec));
        Assert.Equal(["g0", "g1"], keys);
        Assert.True(report[BadSampleReasons.UnreadableFile] == 1, report.ToJson(true)); // zdir.jpg is a directory
        Assert.Equal(1, report[BadSampleReasons.InvalidUtf8]);
        Assert.Equal(1, report[BadSampleReasons.InvalidJson]);
        Assert.Equal(1, report[BadSampleReasons.EmptyImage]);
        Assert.Equal(1, report[BadSampleReasons.CorruptImage]);
        Assert.Equal(1, report[BadSampleReasons.ImageTooLarge]);
        Assert.Equal(6, report.Total);

        using var strict = new DataLoader(Options(spec, strict: true));
        var e = Assert.Throws<BadSampleException>(() => { foreach (var b in strict.Batches()) b.Dispose(); });
        Assert.Equal(BadSampleReasons.InvalidUtf8, e.Reason);
        Assert.Contains("\"g2\"", e.Message);
        Assert.Contains(img, e.Message);
    }

    [Fact]
    public void ParquetWithEmbeddedImagesAndMissingFiles()
    {
        var dir = Support.TestPaths.NewTempDir("clipsharp-bad-parquet");
        WriteImages(dir);
        var path = Path.Combine(dir, "m.parquet");
        ManifestWorld.WriteParquet(path, [("a", "img/g0.jpg", "a cat", "A cat."), ("b", "img/nothere.jpg", "a", "b"), ("c", null, "a", "b"),
            ("d", "img/g1.jpg", null, "b"), ("e", "img/g2.jpg", "a", "b")], groupSize: 2);
        var (keys, report) = RunEpoch(Options(new DataSourceSpec { Type = "parquet", Path = path, KeyField = "key", RowsPerShard = 1 }));
        Assert.Equal(["a", "e"], keys);
        Assert.Equal(1, report[BadSampleReasons.UnreadableFile]);
        Assert.Equal(1, report[BadSampleReasons.MissingImage]);
        Assert.Equal(1, report[BadSampleReasons.MissingWebCaption]);
        Assert.Equal(3, report.Total);
    }
}

using System.Formats.Tar;
using System.Text.Json;
using ClipSharp.Scenes;
using ClipSharp.Data.Sources;

namespace ClipSharp.Tests.Scenes;

public class WorldGeneratorTests
{
    private static WorldGenerationOptions Small(string dir, int threads) =>
        new(dir, Train: 90, Eval: 12, Bags: 7, ImageSize: 32, Seed: 77, Threads: threads, ShardSize: 40);

    // Every file of the tree, manifest.json included, is byte-identical for the same seed and options (users checksum
    // datasets): no timings, thread counts or dates may leak into a file.
    [Fact]
    public void EveryFileIsByteIdenticalForOneAndTwoThreads()
    {
        var (a, b) = (Support.TestPaths.NewTempDir(), Support.TestPaths.NewTempDir());
        var ma = WorldGenerator.Generate(Small(a, 1));
        var mb = WorldGenerator.Generate(Small(b, 2));
        Assert.Equal(["train/train-000000.tar", "train/train-000001.tar", "train/train-000002.tar"], ma.TrainShards);
        Assert.Equal(ma.TrainShards, mb.TrainShards);
        var filesA = Tree(a);
        Assert.Equal(filesA, Tree(b));
        Assert.Contains("manifest.json", filesA);
        Assert.Equal(ma.BagImages, filesA.Count(f => f.StartsWith("bags/images/", StringComparison.Ordinal)));
        foreach (var f in filesA)
            Assert.True(File.ReadAllBytes(Path.Combine(a, f)).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(b, f))), $"{f} differs");
    }

    [Fact]
    public void RegeneratingASmallerWorldRemovesTheSurplusShards()
    {
        var dir = Support.TestPaths.NewTempDir();
        WorldGenerator.Generate(Small(dir, 2));
        var foreign = Path.Combine(dir, "train", "notes.tar");
        File.WriteAllText(foreign, "not ours");
        var m = WorldGenerator.Generate(Small(dir, 2) with { Train = 30 });
        Assert.Equal(["train/train-000000.tar"], m.TrainShards);
        Assert.Equal(["notes.tar", "train-000000.tar"],
            Directory.GetFiles(Path.Combine(dir, "train")).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    private static List<string> Tree(string root) => Directory.GetFiles(root, "*", SearchOption.AllDirectories)
        .Select(f => Path.GetRelativePath(root, f).Replace('\\', '/')).Order(StringComparer.Ordinal).ToList();

    [Fact]
    public void WritesWebdatasetKarpathyBagsVocabAndManifest()
    {
        var dir = Support.TestPaths.NewTempDir();
        var m = WorldGenerator.Generate(Small(dir, 2));
        // manifest.json reads back as what Generate returned (enums and all), so a world is reused, not regenerated
        var read = WorldManifest.Read(dir);
        Assert.Equal(m.Config, read.Config);
        Assert.Equal((m.HeldOutEvalFile, m.OracleFile, m.TrainShards.Count), (read.HeldOutEvalFile, read.OracleFile, read.TrainShards.Count));
        Assert.NotNull(WorldManifest.TryRead(dir));
        Assert.True(File.Exists(Path.Combine(dir, m.OracleFile!)) && File.Exists(Path.Combine(dir, m.HeldOutEvalFile!)));

        // train shards: <key>.jpg/.txt/.json per sample, keys in order, fixed mtime
        var keys = new List<string>();
        foreach (var shard in m.TrainShards)
        {
            using var reader = new TarReader(File.OpenRead(Path.Combine(dir, shard)));
            var names = new List<string>();
            while (reader.GetNextEntry() is { } e)
            {
                Assert.Equal(TarEntryFormat.Ustar, e.Format);
                Assert.Equal(TarShardWriter.FixedTime, e.ModificationTime);
                names.Add(e.Name);
                var data = new MemoryStream();
                e.DataStream!.CopyTo(data);
                if (e.Name.EndsWith(".json"))
                {
                    using var doc = JsonDocument.Parse(data.ToArray());
                    var re = doc.RootElement.GetProperty("re_caption").GetString()!;
                    Assert.InRange(ClipSharp.Scenes.CaptionText.Sentences(re).Count, 4, 8);
                    Assert.False(string.IsNullOrEmpty(doc.RootElement.GetProperty("org_caption").GetString()));
                    SceneJson.Parse(doc.RootElement.GetProperty("scene").GetRawText(), e.Name);
                }
            }
            Assert.Equal(names.Count, 3 * names.Select(n => n[..8]).Distinct().Count());
            keys.AddRange(names.Where(n => n.EndsWith(".jpg")).Select(n => n[..8]));
        }
        Assert.Equal(Enumerable.Range(0, 90).Select(i => i.ToString("D8")), keys);

        // eval: Karpathy layout, 5 sentences per image, sentids consecutive
        using (var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, m.EvalFile))))
        {
            Assert.Equal("clipsharp-scenes", doc.RootElement.GetProperty("dataset").GetString());
            var images = doc.RootElement.GetProperty("images").EnumerateArray().ToList();
            Assert.Equal(12, images.Count);
            var sentId = 0;
            foreach (var (img, i) in images.Select((x, i) => (x, i)))
            {
                Assert.Equal(i, img.GetProperty("imgid").GetInt32());
                Assert.Equal("test", img.GetProperty("split").GetString());
                Assert.True(File.Exists(Path.Combine(dir, "eval", img.GetProperty("filepath").GetString()!, img.GetProperty("filename").GetString()!)));
                var sents = img.GetProperty("sentences").EnumerateArray().ToList();
                Assert.Equal(5, sents.Count);
                Assert.Equal(Enumerable.Range(sentId, 5), img.GetProperty("sentids").EnumerateArray().Select(x => x.GetInt32()));
                foreach (var s in sents)
                {
                    Assert.Equal(sentId++, s.GetProperty("sentid").GetInt32());
                    Assert.Equal(i, s.GetProperty("imgid").GetInt32());
                    Assert.Equal(ClipSharp.Scenes.CaptionText.KarpathyTokens(s.GetProperty("raw").GetString()!),
                        s.GetProperty("tokens").EnumerateArray().Select(t => t.GetString()!));
                }
            }
            Assert.Equal(m.EvalCaptions, sentId);
        }

        // bags: files exist, attribute names, captions
        using (var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, m.BagsFile))))
        {
            var bags = doc.RootElement.EnumerateArray().ToList();
            Assert.Equal(7, bags.Count);
            Assert.Equal(["colour", "shape", "size", "pattern", "position", "count", "colour"], bags.Select(b => b.GetProperty("attribute").GetString()));
            foreach (var img in bags.SelectMany(b => b.GetProperty("images").EnumerateArray()))
            {
                Assert.True(File.Exists(Path.Combine(dir, "bags", img.GetProperty("file").GetString()!)));
                Assert.False(string.IsNullOrEmpty(img.GetProperty("caption").GetString()));
            }
        }

        Assert.Equal(WorldVocabulary.Tokens, File.ReadAllLines(Path.Combine(dir, m.VocabFile)));
        using (var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "manifest.json"))))
        {
            Assert.Equal(77, doc.RootElement.GetProperty("seed").GetInt64());
            Assert.Equal(90, doc.RootElement.GetProperty("train").GetInt32());
            foreach (var volatileKey in new[] { "generation_seconds", "images_per_second", "threads" })
                Assert.False(doc.RootElement.TryGetProperty(volatileKey, out _), $"manifest.json holds '{volatileKey}'");
            Assert.Equal(0.1, doc.RootElement.GetProperty("config").GetProperty("web_file_name_rate").GetDouble());
        }
    }
}

using System.Formats.Tar;
using System.Text;
using System.Text.Json.Nodes;
using ClipSharp.Core;
using ClipSharp.Data;
using ClipSharp.Evaluation;
using ClipSharp.Tests.Support;
using static TorchSharp.torch;

namespace ClipSharp.Tests.Evaluation;

/// <summary>Retrieval on webdataset shards equals the Karpathy-layout evaluator and a brute-force reference; bad samples are skipped and counted.</summary>
public class ShardRetrievalTests
{
    private static readonly string[][] Caps =
    [
        ["a red star", "a star that is red"], ["two blue rings"], ["a green square on grey", "green square", "a square"],
        ["three dots"], ["a yellow line", "one line"], ["an orange disc"], ["a purple cross", "a cross", "purple"],
    ];

    [Fact]
    public void ShardsGiveTheSameMetricsAsTheKarpathyLayoutAndBruteForce()
    {
        var root = TestPaths.NewTempDir("wdsret");
        var images = new JsonArray();
        var files = new List<string>();
        for (int i = 0; i < Caps.Length; i++)
        {
            var file = $"img{i}.{(i % 2 == 0 ? "png" : "jpg")}";
            files.Add(Path.Combine(root, "images", file));
            EvalTestModels.WriteImage(files[i], 40 + i);
            images.Add(new JsonObject
            {
                ["filename"] = file, ["split"] = "test",
                ["sentences"] = new JsonArray(Caps[i].Select(c => (JsonNode)new JsonObject { ["raw"] = c }).ToArray()),
            });
        }
        var json = Path.Combine(root, "dataset.json");
        File.WriteAllText(json, new JsonObject { ["dataset"] = "tiny", ["images"] = images }.ToJsonString());
        var karpathy = RetrievalDataset.FromKarpathyJson(json, Path.Combine(root, "images"));

        // the same samples in two shards, captions as CLIP_benchmark writes them (.txt, one per line) except sample 3
        // (a .json "txt" array), with bad samples between them
        var wds = Path.Combine(root, "wds");
        Directory.CreateDirectory(wds);
        WriteShard(Path.Combine(wds, "test-000000.tar"),
            Sample("s0", files[0], string.Join("\n", Caps[0])),
            [("b0.txt", Utf8("no image here"))],                                            // missing_image
            Sample("s1", files[1], Caps[1][0] + "\r\n"),
            [("b1.jpg", Utf8("not a jpeg")), ("b1.txt", Utf8("broken"))],                   // corrupt_image
            Sample("s2", files[2], string.Join("\n", Caps[2]) + "\n\n"),
            [("b2.png", File.ReadAllBytes(files[0])), ("b2.txt", Utf8(" \n \n"))],          // empty_caption
            [("s3.jpg", File.ReadAllBytes(files[3])),
             ("s3.json", Utf8(new JsonObject { ["txt"] = new JsonArray(Caps[3].Select(c => (JsonNode)c).ToArray()) }.ToJsonString()))]);
        WriteShard(Path.Combine(wds, "test-000001.tar"),
            [("b3.png", File.ReadAllBytes(files[0])), ("b3.json", Utf8("{\"other\": 1}"))],    // missing_caption
            Sample("s4", files[4], string.Join("\n", Caps[4])),
            [("b4.png", File.ReadAllBytes(files[0])), ("b4.json", Utf8("{oops"))],             // invalid_json
            Sample("s5", files[5], string.Join("\n", Caps[5])),
            Sample("s6", files[6], string.Join("\n", Caps[6])));

        var model = EvalTestModels.TinyClips(9);
        var tok = EvalTestModels.WorldTokenizer();
        var tf = EvalTestModels.Transform64();
        var options = new RetrievalOptions { BatchSize = 3, BlockSize = 2 };
        var want = RetrievalEvaluator.Evaluate(model, tok, tf, karpathy, options);
        var lines = new List<string>();
        var got = ShardRetrievalEvaluator.Evaluate(model, tok, tf, Path.Combine(wds, "test-{000000..000001}.tar"), null, options, lines.Add);

        Assert.Equal((7, Caps.Sum(c => c.Length)), (got.Images, got.Captions));
        Assert.Equal(want.TextRanks, got.Metrics.TextRanks);
        Assert.Equal(want.ImageRanks, got.Metrics.ImageRanks);
        Assert.Equal(want.ToBenchmarkMetrics(), got.Metrics.ToBenchmarkMetrics());
        Assert.Equal("wds", got.Name);

        using (no_grad())
        {
            var img = cat(karpathy.ImagePaths.Select(p => model.EncodeImage(tf.Apply(p).unsqueeze(0), normalize: true)).ToList(), 0);
            var txt = cat(karpathy.Captions.Select(c => model.EncodeText(TokenRows.ToTensor([tok.Encode(c)]), normalize: true)).ToList(), 0);
            var (refImg, refTxt) = EvalTestModels.BruteForceRanks(EvalTestModels.ToArray(img), EvalTestModels.ToArray(txt), karpathy.CaptionImage);
            Assert.Equal(refTxt, got.Metrics.TextRanks);
            Assert.Equal(refImg, got.Metrics.ImageRanks);
        }

        var bad = got.BadSamples;
        Assert.Equal(5, bad.Total);
        foreach (var reason in new[] { BadSampleReasons.MissingImage, BadSampleReasons.CorruptImage, RetrievalSampleReasons.EmptyCaption,
                     RetrievalSampleReasons.MissingCaption, BadSampleReasons.InvalidJson })
            Assert.Equal(1, bad[reason]);
        Assert.Equal("b1", bad.First[BadSampleReasons.CorruptImage].Key);
        Assert.Contains(lines, l => l.Contains("b3") && l.Contains(RetrievalSampleReasons.MissingCaption));
    }

    [Fact]
    public void CaptionsFromAJsonFieldAndATruncatedShardKeepTheSamplesBeforeTheCut()
    {
        var root = TestPaths.NewTempDir("wdsread");
        var png = Path.Combine(root, "a.png");
        EvalTestModels.WriteImage(png, 7);
        var shard = Path.Combine(root, "one.tar");
        WriteShard(shard,
            [("k0.png", File.ReadAllBytes(png)), ("k0.json", Utf8("{\"caps\": \"first\\nsecond\"}")), ("k0.txt", Utf8("ignored"))],
            [("k1.png", File.ReadAllBytes(png)), ("k1.json", Utf8("{\"caps\": [\"only one\"]}"))],
            [("k2.png", File.ReadAllBytes(png)), ("k2.json", Utf8("{\"caps\": 3}"))],
            [("k3.png", new byte[4000]), ("k3.json", Utf8("{\"caps\": \"cut\"}"))]);
        var bytes = File.ReadAllBytes(shard);
        File.WriteAllBytes(shard, bytes[..(bytes.Length - 1024 - 512 - 512 - 2000)]);   // drop the end marker, k3.json and the last 2000 bytes of k3.png

        var log = new BadSampleLog();
        var samples = RetrievalShardReader.Read(shard, new RetrievalShardOptions { CaptionField = "caps" }, log).ToList();
        Assert.Equal(["k0", "k1"], samples.Select(s => s.Key));
        Assert.Equal(["first", "second"], samples[0].Captions);
        Assert.Equal(["only one"], samples[1].Captions);
        Assert.Equal("png", samples[0].ImageExt);
        var bad = log.Snapshot();
        Assert.Equal(1, bad[BadSampleReasons.InvalidJson]);
        Assert.Equal(1, bad[BadSampleReasons.TruncatedMember]);
        Assert.Equal("k3", bad.First[BadSampleReasons.TruncatedMember].Key);
        Assert.Contains("no shard found", Assert.Throws<ClipSharpException>(() =>
            RetrievalShardReader.Read(Path.Combine(root, "none-{0..3}.tar"), new RetrievalShardOptions(), log).ToList()).Message);
    }

    private static (string, byte[])[] Sample(string key, string image, string txt) =>
        [($"{key}{Path.GetExtension(image)}", File.ReadAllBytes(image)), ($"{key}.txt", Utf8(txt))];

    private static byte[] Utf8(string s) => Encoding.UTF8.GetBytes(s);

    private static void WriteShard(string path, params (string Name, byte[] Data)[][] samples)
    {
        using var fs = File.Create(path);
        using var tar = new TarWriter(fs, TarEntryFormat.Ustar, leaveOpen: false);
        foreach (var sample in samples)
            foreach (var (name, data) in sample)
                tar.WriteEntry(new UstarTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(data) });
    }
}

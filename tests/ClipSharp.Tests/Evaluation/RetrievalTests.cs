using System.Text.Json.Nodes;
using ClipSharp.Core;
using ClipSharp.Evaluation;
using ClipSharp.Scenes;
using ClipSharp.Tests.Support;
using static TorchSharp.torch;

namespace ClipSharp.Tests.Evaluation;

/// <summary>The blocked retrieval scorer and the evaluator equal a brute-force reference.</summary>
public class RetrievalTests
{
    private static readonly int[] Ks = [1, 5, 10];

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(4096)]
    public void BlockedRanksEqualBruteForceOnRandomEmbeddings(int block)
    {
        manual_seed(block);
        var rng = new Random(block);
        int n = 40;
        var owner = Enumerable.Range(0, n).SelectMany(i => Enumerable.Repeat(i, rng.Next(1, 7))).ToList();  // 1-6 captions each
        var img = nn.functional.normalize(randn(n, 16), dim: -1);
        var txt = nn.functional.normalize(randn(owner.Count, 16) + 0.5 * img[tensor(owner.Select(i => (long)i).ToArray())], dim: -1);
        var got = RetrievalScorer.Score(img, txt, owner, Ks, block);
        var (refImg, refTxt) = EvalTestModels.BruteForceRanks(EvalTestModels.ToArray(img), EvalTestModels.ToArray(txt), owner);
        Assert.Equal(refTxt, got.TextRanks);
        Assert.Equal(refImg, got.ImageRanks);
        foreach (var k in Ks)
        {
            Assert.Equal(refTxt.Count(r => r < k) / (double)refTxt.Length, got.TextToImage[k]);
            Assert.Equal(refImg.Count(r => r < k) / (double)refImg.Length, got.ImageToText[k]);
        }
        Assert.True(got.TextToImage[10] > got.TextToImage[1], "the test data should not make every K equal");
    }

    [Fact]
    public void ImagesWithoutCaptionsAreLeftOutOfImageToText()
    {
        var img = eye(3, 4);
        var txt = eye(3, 4)[..2];                   // captions of images 0 and 1 only
        var (ranks, _) = RetrievalScorer.Ranks(img, txt, [0, 1]);
        Assert.Equal([0, 0, -1], ranks);
        Assert.Equal(1.0, RetrievalScorer.Score(img, txt, [0, 1], [1]).ImageToText[1]);
    }

    [Fact]
    public void CocoLayoutWithATinyModelEqualsPerItemBruteForce()
    {
        var root = TestPaths.NewTempDir("coco");
        string[][] caps = [["a red star", "a star that is red"], ["two blue rings"], ["a green square on grey", "green square", "a square"], ["three dots"]];
        var images = new JsonArray();
        string[] splits = ["test", "test", "test", "val"];
        for (int i = 0; i < caps.Length; i++)
        {
            var file = $"COCO_val2014_{i:D12}.jpg";
            EvalTestModels.WriteImage(Path.Combine(root, "val2014", file), i);
            images.Add(new JsonObject
            {
                ["filepath"] = "val2014", ["filename"] = file, ["imgid"] = i, ["split"] = splits[i],
                ["sentences"] = new JsonArray(caps[i].Select(c => (JsonNode)new JsonObject { ["raw"] = c, ["imgid"] = i }).ToArray()),
            });
        }
        var json = Path.Combine(root, "dataset_coco.json");
        File.WriteAllText(json, new JsonObject { ["dataset"] = "coco", ["images"] = images }.ToJsonString());

        var data = RetrievalDataset.FromKarpathyJson(json, root);
        Assert.Equal(3, data.ImagePaths.Count);
        Assert.Equal(6, data.Captions.Count);
        Assert.Equal([0, 0, 1, 2, 2, 2], data.CaptionImage);

        var model = EvalTestModels.TinyClips();
        var tok = EvalTestModels.WorldTokenizer();
        var tf = EvalTestModels.Transform64();
        var got = RetrievalEvaluator.Evaluate(model, tok, tf, data, new RetrievalOptions { BatchSize = 2, BlockSize = 2 });

        // reference: one image / one caption at a time, full matrix, sorting
        using var _ = no_grad();
        var img = cat(data.ImagePaths.Select(p => model.EncodeImage(tf.Apply(p).unsqueeze(0), normalize: true)).ToList(), 0);
        var txt = cat(data.Captions.Select(c => model.EncodeText(TokenRows.ToTensor([tok.Encode(c)]), normalize: true)).ToList(), 0);
        var (refImg, refTxt) = EvalTestModels.BruteForceRanks(EvalTestModels.ToArray(img), EvalTestModels.ToArray(txt), data.CaptionImage);
        Assert.Equal(refTxt, got.TextRanks);
        Assert.Equal(refImg, got.ImageRanks);
        Assert.Equal(["image_retrieval_recall@1", "image_retrieval_recall@10", "image_retrieval_recall@5",
            "text_retrieval_recall@1", "text_retrieval_recall@10", "text_retrieval_recall@5"], got.ToBenchmarkMetrics().Keys);
        var flat = got.ToDictionary();
        Assert.Equal(refTxt.Count(r => r < 1) / (double)refTxt.Length, flat["image_retrieval_recall@1"], 12);
        Assert.Equal(refImg.Count(r => r < 5) / (double)refImg.Length, flat["text_retrieval_recall@5"], 12);
        Assert.Equal(got.ToBenchmarkMetrics().Values.Average(), flat["retrieval_mean_recall"], 12);
    }

    [Fact]
    public void TheBuiltInWorldEvalSetEqualsBruteForce()
    {
        var dir = TestPaths.NewTempDir("world");
        WorldGenerator.Generate(new WorldGenerationOptions(dir, Train: 0, Eval: 12, Bags: 0, Threads: 2));
        var data = RetrievalDataset.FromKarpathyJson(Path.Combine(dir, "eval", "dataset_eval.json"), Path.Combine(dir, "eval"));
        Assert.Equal(12, data.ImagePaths.Count);
        var model = EvalTestModels.TinyClips(5);
        var tok = EvalTestModels.WorldTokenizer();
        var tf = EvalTestModels.Transform64();
        var got = RetrievalEvaluator.Evaluate(model, tok, tf, data, new RetrievalOptions { BatchSize = 5, BlockSize = 7 });
        using var _ = no_grad();
        var img = cat(data.ImagePaths.Select(p => model.EncodeImage(tf.Apply(p).unsqueeze(0), normalize: true)).ToList(), 0);
        var txt = model.EncodeText(TokenRows.ToTensor(tok.EncodeBatch(data.Captions)), normalize: true);
        var (refImg, refTxt) = EvalTestModels.BruteForceRanks(EvalTestModels.ToArray(img), EvalTestModels.ToArray(txt), data.CaptionImage);
        Assert.Equal(refTxt, got.TextRanks);
        Assert.Equal(refImg, got.ImageRanks);
    }

    [Fact]
    public void KarpathyErrorsNameTheProblem()
    {
        var root = TestPaths.NewTempDir("coco");
        var json = Path.Combine(root, "d.json");
        File.WriteAllText(json, """{"images":[{"filename":"a.jpg","split":"train","sentences":[{"raw":"x"}]}]}""");
        var e = Assert.Throws<ClipSharpException>(() => RetrievalDataset.FromKarpathyJson(json, root));
        Assert.Contains("split \"test\"", e.Message);
        Assert.Contains("train", e.Message);
        File.WriteAllText(json, """{"images":[{"filename":"a.jpg","split":"test","sentences":[{"raw":"x"}]}]}""");
        e = Assert.Throws<ClipSharpException>(() => RetrievalDataset.FromKarpathyJson(json, root));
        Assert.Contains("a.jpg", e.Message);
    }

    [Fact]
    public void ResultsUseTheClipBenchmarkLayoutAndFormatAsATable()
    {
        var r = new BenchmarkResult("coco", "test-clips-tiny", "run1", "zeroshot_retrieval",
            new Dictionary<string, double> { ["image_retrieval_recall@1"] = 0.25, ["text_retrieval_recall@1"] = 0.5 });
        var path = Path.Combine(TestPaths.NewTempDir("res"), "r.json");
        r.Write(path);
        var node = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        Assert.Equal(["dataset", "model", "pretrained", "task", "metrics", "language"], node.Select(kv => kv.Key));
        var back = BenchmarkResult.Read(path);
        Assert.Equal(0.25, back.Metrics["image_retrieval_recall@1"]);
        var table = BenchmarkResult.FormatTable([back]);
        Assert.Contains("25.00", table);
        Assert.Contains("50.00", table);
    }
}

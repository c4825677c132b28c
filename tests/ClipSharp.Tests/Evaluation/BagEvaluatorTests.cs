using ClipSharp.Encoders;
using ClipSharp.Core;
using ClipSharp.Evaluation;
using ClipSharp.Inference;
using ClipSharp.Modeling;
using ClipSharp.Scenes;
using ClipSharp.Tests.Support;
using static TorchSharp.torch;

namespace ClipSharp.Tests.Evaluation;

/// <summary>Fine-grained bag accuracy (text→image, image→text, caption self-retrieval) per attribute, against references.</summary>
public class BagEvaluatorTests
{
    private static readonly Lazy<string> World = new(() =>
    {
        var dir = TestPaths.NewTempDir("bags");
        WorldGenerator.Generate(new WorldGenerationOptions(dir, Train: 0, Eval: 0, Bags: 12, Threads: 2));
        return dir;
    });

    [Fact]
    public void LoadsTheWorldsBags()
    {
        var set = BagSet.Load(World.Value);
        Assert.Equal(12, set.Bags.Count);
        Assert.Equal(Enum.GetValues<BagAttribute>().Select(a => a.ToString().ToLowerInvariant()).ToHashSet(), set.Bags.Select(b => b.Attribute).ToHashSet());
        Assert.All(set.Bags, b => Assert.Equal(b.ImagePaths.Count, b.Captions.Count));
        Assert.Equal(set.Bags.Count, BagSet.Load(Path.Combine(World.Value, "bags", "bags.json")).Bags.Count);
    }

    [Fact]
    public void ScoringCountsStrictWinsAndChance()
    {
        // two bags (sizes 2 and 3): image k = e_k; captions: bag 0 right, bag 1 caption 2 points to image 3 (wrong)
        var bags = new BagSet("t", [
            new EvalBag(0, "colour", ["a", "b"], ["x", "y"]),
            new EvalBag(1, "shape", ["c", "d", "e"], ["x", "y", "z"])]);
        var img = eye(5);
        var txt = eye(5).index_select(0, tensor(new long[] { 0, 1, 2, 2, 4 }));
        var m = BagEvaluator.Score(bags, img, txt);
        Assert.Equal(1.0, m.PerAttribute["colour"].TextToImage);
        Assert.Equal(2 / 3.0, m.PerAttribute["shape"].TextToImage, 12);
        Assert.Equal(4 / 5.0, m.Overall.TextToImage, 12);
        Assert.Equal(2 / 5.0, m.Overall.Chance, 12);               // (2·½ + 3·⅓) / 5
        Assert.Null(m.Overall.CaptionSelfRetrieval);
        // all-equal embeddings tie everywhere: never a win
        Assert.Equal(0.0, BagEvaluator.Score(bags, ones(5, 3), ones(5, 3)).Overall.TextToImage);
        Assert.Contains("shape/text_to_image_acc", m.ToBenchmarkMetrics().Keys);
        var flat = m.ToDictionary();
        Assert.Equal(4 / 5.0, flat["bag_accuracy"], 12);
        Assert.Equal(2 / 3.0, flat["bag_accuracy/shape"], 12);
        Assert.Equal(2 / 5.0, flat["bag_chance"], 12);
        Assert.False(flat.ContainsKey("bag_caption_self_retrieval"));
    }

    [Fact]
    public void TinyClipsModelOnTheWorldEqualsAPerBagReference()
    {
        var set = BagSet.Load(World.Value);
        var model = EvalTestModels.TinyClips(9);
        var tok = EvalTestModels.WorldTokenizer();
        var tf = EvalTestModels.Transform64();
        var got = BagEvaluator.Evaluate(model, tok, tf, set, new BagOptions { BatchSize = 5 });

        using var _ = no_grad();
        int t2i = 0, i2t = 0, self = 0, n = 0;
        var captions = new List<string>();
        foreach (var bag in set.Bags)
        {
            var pixels = stack(bag.ImagePaths.Select(tf.Apply).ToList());
            var img = model.EncodeImage(pixels, normalize: true);
            var txt = model.EncodeText(TokenRows.ToTensor(tok.EncodeBatch(bag.Captions)), normalize: true);
            var gen = CaptionGenerator.Generate((ClipsModel)model, pixels, null, tok);
            captions.AddRange(gen);
            var genEmb = model.EncodeText(TokenRows.ToTensor(tok.EncodeBatch(gen)), normalize: true);
            t2i += Wins(txt.matmul(img.t()));
            i2t += Wins(img.matmul(txt.t()));
            self += Wins(genEmb.matmul(img.t()));
            n += bag.ImagePaths.Count;
        }
        Assert.Equal(n, got.Overall.Queries);
        Assert.Equal(t2i / (double)n, got.Overall.TextToImage, 12);
        Assert.Equal(i2t / (double)n, got.Overall.ImageToText, 12);
        Assert.Equal(self / (double)n, got.Overall.CaptionSelfRetrieval!.Value, 12);
        Assert.Equal(captions, got.GeneratedCaptions);
        Assert.Equal(6, got.PerAttribute.Count);
        Assert.Equal(n, got.PerAttribute.Values.Sum(s => s.Queries));
    }

    // rows = queries, columns = candidates; a win = the diagonal strictly above the rest of the row
    private static int Wins(Tensor sim)
    {
        int wins = 0;
        for (int j = 0; j < sim.shape[0]; j++)
        {
            var row = sim[j].clone();
            var own = row[j].item<float>();
            row[j] = float.NegativeInfinity;
            if (row.max().item<float>() < own) wins++;
        }
        return wins;
    }

    [Fact]
    public void MissingBagsFileIsAClearError()
    {
        var e = Assert.Throws<ClipSharpException>(() => BagSet.Load(TestPaths.NewTempDir("nobags")));
        Assert.Contains("bags.json", e.Message);
    }
}

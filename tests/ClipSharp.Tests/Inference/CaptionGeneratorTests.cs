using ClipSharp.Encoders;
using ClipSharp.Core;
using ClipSharp.Inference;
using ClipSharp.Modeling;
using ClipSharp.Modeling.Generation;
using ClipSharp.Scenes;
using ClipSharp.Tests.Support;
using ClipSharp.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace ClipSharp.Tests.Inference;

/// <summary>Generation on a tiny CLIPS model trained (here) to caption two images returns their captions as text.</summary>
public class CaptionGeneratorTests
{
    private static readonly string[] Captions = ["a red star in the top left", "two small blue rings"];

    internal static (ClipsModel Model, ClipsWordPieceTokenizer Tok, Tensor Images) TrainedTinyCaptioner()
    {
        var dir = TestPaths.NewTempDir("capgen");
        var vocab = Path.Combine(dir, "vocab.txt");
        WorldVocabulary.Write(vocab);
        var tok = ClipsWordPieceTokenizer.FromFile(vocab);
        manual_seed(1);
        var cfg = ModelFactory.LoadConfig(Path.Combine(TestPaths.RepoRoot, "configs", "models", "test-clips-tiny.json")).Model;
        var model = (ClipsModel)ModelFactory.Create(cfg);
        var images = randn(2, 3, 64, 64);
        var web = CaptionGenerator.EmptyWebIds(tok, 2);
        int q = model.text_decoder.NumQueries;
        // targets: query i predicts content token i (after bos), then eos, then pad (ignored)
        var targets = TokenRows.ToTensor(Captions.Select(c =>
        {
            var row = new long[q];
            var ids = tok.ContentIds(c).Select(i => (long)i).Append(tok.EosId).Take(q).ToArray();
            ids.CopyTo(row, 0);
            return row;
        }).ToList());
        var opt = optim.AdamW(model.parameters(), lr: 5e-3);
        model.train();
        for (int step = 0; step < 40; step++)
        {
            using var scope = NewDisposeScope();
            opt.zero_grad();
            var logits = model.text_decoder.forward(model.EncodeImageFull(images).PatchStates, model.EncodeTextFull(web).States[.., ..^1]);
            var loss = nn.functional.cross_entropy(logits.reshape(-1, logits.shape[2]), targets.reshape(-1), ignore_index: 0);
            loss.backward();
            opt.step();
        }
        model.eval();
        return (model, tok, images);
    }

    [Fact]
    public void ATrainedTinyModelCaptionsItsImagesGreedilyAndBySampling()
    {
        var (model, tok, images) = TrainedTinyCaptioner();
        var greedy = CaptionGenerator.Generate(model, images, null, tok);
        Assert.Equal(Captions, greedy);
        var sampled = CaptionGenerator.Generate(model, images, null, tok,
            new GenerationOptions { Strategy = DecodingStrategy.Sample, TopK = 5, TopP = 0.9, Temperature = 0.7, Seed = 4 });
        Assert.Equal(2, sampled.Length);
        Assert.All(sampled, s => Assert.False(string.IsNullOrWhiteSpace(s)));
        // explicit web ids of an empty caption give the same result as null
        Assert.Equal(greedy, CaptionGenerator.Generate(model, images, CaptionGenerator.EmptyWebIds(tok, 2), tok));
    }

    [Fact]
    public void WebIdsOfTheWrongLengthAreRefused()
    {
        manual_seed(2);
        var cfg = ModelFactory.LoadConfig(Path.Combine(TestPaths.RepoRoot, "configs", "models", "test-clips-tiny.json")).Model;
        var model = (ClipsModel)ModelFactory.Create(cfg);
        var dir = TestPaths.NewTempDir("capgen");
        WorldVocabulary.Write(Path.Combine(dir, "vocab.txt"));
        var tok = ClipsWordPieceTokenizer.FromFile(Path.Combine(dir, "vocab.txt"), 40);
        var e = Assert.Throws<ClipSharpException>(() => CaptionGenerator.Generate(model, randn(1, 3, 64, 64), null, tok));
        Assert.Contains("context length", e.Message);
    }
}

using ClipSharp.Core;
using ClipSharp.Modeling;
using ClipSharp.Modeling.Layers;
using ClipSharp.Tests.Support;
using ClipSharp.Training.Objectives;
using TorchSharp;
using static TorchSharp.torch;

namespace ClipSharp.Tests.Modeling;

/// <summary>
/// FLIP patch dropout with OpenCLIP's semantics: training mode only, class token kept first, max(1, int(N·(1-p)))
/// patches kept, chosen by randn(B, N).topk on the CPU; the identity in eval (the parity fixtures run in eval);
/// deterministic for a seeded generator; the CLIPS captioner trains on the kept patches.
/// </summary>
[Collection("GlobalTorchState")]
public class PatchDropoutTests
{
    private static ModelConfig Config(string name) =>
        ModelConfigReader.ReadFile(Path.Combine(TestPaths.RepoRoot, "configs", "models", name + ".json")).Model;

    private static ModelConfig WithDropout(ModelConfig c, double p) => c with { Vision = c.Vision with { PatchDropout = p } };

    [Theory]
    [InlineData(64, 0.5, 32)]
    [InlineData(49, 0.3, 34)]
    [InlineData(50, 0.75, 12)]
    [InlineData(10, 0.9, 1)]      // Python: int(10 * (1 - 0.9)) = int(0.9999999999999998) = 0, then max(1, 0)
    [InlineData(16, 0.99, 1)]
    [InlineData(3, 0.0, 3)]
    public void Kept_count_is_openclips(long patches, double prob, long kept) => Assert.Equal(kept, PatchDropout.Kept(patches, prob));

    [Fact]
    public void Probabilities_outside_0_to_1_are_errors()
    {
        Assert.Throws<ClipSharpException>(() => new PatchDropout(1.0));
        Assert.Throws<ClipSharpException>(() => new PatchDropout(-0.1));
        Assert.Throws<ClipSharpException>(() => ModelFactory.Create(WithDropout(Config("test-clip-tiny"), 1.5)));
    }

    // x[b, t, :] = 1000 b + t: every token tells where it came from.
    private static Tensor Tokens(long b, long n, long w) =>
        Scalars.Arange(b).mul(Scalars.Of(1000L)).view(b, 1, 1).add(Scalars.Arange(n + 1).view(1, n + 1, 1), Scalars.One)
            .expand(b, n + 1, w).to(ScalarType.Float32);

    [Fact]
    public void Training_keeps_the_class_token_first_and_the_top_k_draw_of_distinct_patches()
    {
        long b = 3, n = 64, w = 4;
        using var pd = new PatchDropout(0.5) { Generator = new Generator(9) };
        pd.train();
        var y = pd.forward(Tokens(b, n, w));
        Assert.Equal(new[] { b, 1 + 32, w }, y.shape);
        var origin = y[.., .., 0].to(ScalarType.Int64);                                   // (B, 1+k)
        var rowBase = Scalars.Arange(b).mul(Scalars.Of(1000L)).unsqueeze(1);
        Assert.True(origin[.., 0].equal(rowBase.squeeze(1)).all().item<bool>(), "the class token must come first");
        var patch = origin[.., 1..].sub(rowBase).sub(Scalars.One);                      // 0-based patch indices
        var expected = randn([b, n], generator: new Generator(9)).topk(32, -1).indexes;  // OpenCLIP's draw
        Assert.True(patch.equal(expected).all().item<bool>(), "kept patches must be randn(B, N).topk(k).indices");
        for (int i = 0; i < b; i++) Assert.Equal(32, patch[i].unique().Item1.shape[0]);
    }

    [Fact]
    public void Eval_mode_and_probability_zero_are_the_identity()
    {
        var x = Tokens(2, 16, 3);
        using var pd = new PatchDropout(0.5);
        pd.eval();
        Assert.Same(x, pd.forward(x));
        using var none = new PatchDropout(0);
        none.train();
        Assert.Same(x, none.forward(x));
    }

    [Fact]
    public void The_same_seed_draws_the_same_patches_and_another_seed_others()
    {
        var x = Tokens(4, 64, 2);
        using var pd = new PatchDropout(0.5) { Generator = new Generator(0) };
        pd.train();
        Tensor Draw(long seed) { pd.Generator!.manual_seed(seed); return pd.forward(x); }
        Assert.True(Draw(7).equal(Draw(7)).all().item<bool>());
        Assert.False(Draw(7).equal(Draw(8)).all().item<bool>());
        pd.Generator = null;                                                             // the global generator, as OpenCLIP
        manual_seed(7);
        var a = pd.forward(x);
        manual_seed(7);
        Assert.True(a.equal(pd.forward(x)).all().item<bool>());
    }

    [Fact]
    public void A_model_with_patch_dropout_has_the_same_keys_and_eval_outputs()
    {
        var cfg = Config("test-clip-tiny");
        manual_seed(31);
        using var plain = ModelFactory.Create(cfg);
        manual_seed(31);
        using var dropped = ModelFactory.Create(WithDropout(cfg, 0.5));
        Assert.Equal(plain.state_dict().Keys, dropped.state_dict().Keys);
        plain.eval();
        dropped.eval();
        var images = randn([2, 3, cfg.Vision.ImageSize, cfg.Vision.ImageSize], generator: new Generator(3));
        using var _ = no_grad();
        var (a, b) = (plain.EncodeImageFull(images), dropped.EncodeImageFull(images));
        Assert.True(a.Pooled.equal(b.Pooled).all().item<bool>() && a.PatchStates.equal(b.PatchStates).all().item<bool>());
        Assert.True(plain.EncodeImage(images, true).equal(dropped.EncodeImage(images, true)).all().item<bool>());
    }

    [Fact]
    public void The_clips_captioner_trains_on_the_kept_patches()
    {
        var cfg = WithDropout(Config("test-clips-tiny"), 0.5);
        manual_seed(32);
        using var model = (ClipsModel)ModelFactory.Create(cfg);
        model.train();
        using var g = new Generator(0);
        model.SetTrainingRandomness(g);
        int b = 3, ctx = cfg.Text.ContextLength, q = cfg.Decoder!.OutputLength;
        var gen = new Generator(4);
        var images = randn([b, 3, cfg.Vision.ImageSize, cfg.Vision.ImageSize], generator: gen);
        var ids = randint(1, cfg.Text.VocabSize, [b, ctx], dtype: ScalarType.Int64, generator: gen);
        var targets = randint(1, cfg.Text.VocabSize, [b, q], dtype: ScalarType.Int64, generator: gen);
        g.manual_seed(1);
        var f = model.Forward(images, ids, ids);
        long kept = PatchDropout.Kept(cfg.Vision.GridSize * cfg.Vision.GridSize, 0.5);
        Assert.Equal(new[] { (long)b, kept, cfg.Vision.Width }, f.Vision.PatchStates.shape);
        Assert.Equal(new[] { (long)b, q, cfg.Text.VocabSize }, f.CaptionLogits.shape);
        var loss = new ClipsLoss().Compute(f.ImageFeatures, f.WebFeatures, f.PartialFeatures, model.logit_scale.exp(), f.CaptionLogits, targets).Total;
        Assert.True(double.IsFinite(loss.item<float>()));
        loss.backward();
        Assert.True(model.text_decoder.img_proj.weight!.grad!.abs().sum().item<float>() > 0);
        // The pooled route drops what the full route drops: same seed, same features.
        g.manual_seed(1);
        var fast = model.EncodeImage(images, true);
        Assert.True(fast.allclose(f.ImageFeatures, 1e-5, 1e-6), "EncodeImage and Forward must see the same kept patches");
        model.SetTrainingRandomness(null);
        Assert.Null(((VisionTransformer)model.visual).patch_dropout!.Generator);
    }
}

using ClipSharp.Modeling;
using ClipSharp.Modeling.Layers;
using ClipSharp.Tests.Support;
using ClipSharp.Training.Objectives;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace ClipSharp.Tests.Modeling;

/// <summary>
/// Gradient checkpointing (<see cref="ContrastiveModel.SetGradCheckpointing"/>) must change memory, never numbers: the
/// loss, the gradient of the input images and every parameter's .grad equal the plain path's, for the tiny CLIP (both
/// the pooled fast route and the full forward), CLIPS (towers + captioner) and CoCa (multimodal decoder) models, also
/// when gradients accumulate over two backward passes and when a tower is frozen. Every max difference is printed.
/// </summary>
[Collection("GlobalTorchState")]
public class GradCheckpointTests(ITestOutputHelper output)
{
    // Measured: every difference is 0 (the recomputation runs the same kernels on the same inputs). The tolerance
    // leaves room for a libtorch that picks another attention kernel with grad mode off.
    private const double Atol = 1e-6, Rtol = 1e-5;

    private static ModelConfig Config(string name) =>
        ModelConfigReader.ReadFile(Path.Combine(TestPaths.RepoRoot, "configs", "models", name + ".json")).Model;

    private sealed record Inputs(Tensor Images, Tensor Ids, Tensor Partial, Tensor Targets);

    private static Inputs MakeInputs(ModelConfig cfg, long seed)
    {
        var g = new Generator((ulong)seed);
        int b = 4, ctx = cfg.Text.ContextLength;
        var images = randn([b, 3, cfg.Vision.ImageSize, cfg.Vision.ImageSize], generator: g);
        var ids = randint(1, cfg.Text.VocabSize, [b, ctx], dtype: ScalarType.Int64, generator: g);
        var partial = randint(1, cfg.Text.VocabSize, [b, ctx], dtype: ScalarType.Int64, generator: g);
        int q = cfg.Decoder?.OutputLength ?? 1;
        var targets = randint(1, cfg.Text.VocabSize, [b, q], dtype: ScalarType.Int64, generator: g);
        return new Inputs(images, ids, partial, targets);
    }

    // The model's training loss on the inputs, by model kind (fast = the pooled route CLIP training takes).
    private static Tensor Loss(ContrastiveModel model, Inputs x, Tensor images, bool fast) => model switch
    {
        ClipsModel m => m.Forward(images, x.Ids, x.Partial) is var f
            ? new ClipsLoss().Compute(f.ImageFeatures, f.WebFeatures, f.PartialFeatures, m.logit_scale.exp(), f.CaptionLogits, x.Targets).Total
            : null!,
        CoCaModel m => m.Forward(images, x.Ids) is var f
            ? new CoCaLoss().Compute(f.ImageFeatures, f.TextFeatures, m.logit_scale.exp(), f.Logits, x.Ids).Total : null!,
        _ when fast => ClipLoss.Compute(model.EncodeImage(images, true), model.EncodeText(x.Ids, true), model.logit_scale.exp()),
        _ => ClipLoss.Compute(nn.functional.normalize(model.EncodeImageFull(images).Pooled, dim: -1),
            nn.functional.normalize(model.EncodeTextFull(x.Ids).Pooled, dim: -1), model.logit_scale.exp()),
    };

    private sealed record Run(double Loss, Tensor ImageGrad, Dictionary<string, Tensor?> Grads);

    // passes backward passes on different inputs without zeroing in between: .grad must accumulate the same way.
    private static Run Train(ContrastiveModel model, bool checkpointing, bool fast, int passes = 1)
    {
        model.SetGradCheckpointing(checkpointing);
        model.zero_grad();
        double loss = 0;
        Tensor imageGrad = null!;
        for (int pass = 0; pass < passes; pass++)
        {
            using var scope = NewDisposeScope();
            var x = MakeInputs(model.Config, 100 + pass);
            var images = x.Images.requires_grad_(true);
            var l = Loss(model, x, images, fast);
            l.backward();
            loss = l.item<float>();
            imageGrad = scope.MoveToOuter(images.grad!.clone());
        }
        var grads = model.named_parameters().ToDictionary(p => p.name, p => p.parameter.grad?.clone());
        model.SetGradCheckpointing(false);
        return new Run(loss, imageGrad, grads);
    }

    private void AssertSame(string what, Run plain, Run ckpt)
    {
        var checks = new TensorChecks(what);
        checks.Close("loss", tensor(ckpt.Loss), tensor(plain.Loss), Atol, Rtol);
        checks.Close("d loss / d images", ckpt.ImageGrad, plain.ImageGrad, Atol, Rtol);
        foreach (var (name, g) in plain.Grads)
        {
            Assert.True((g is not null) == (ckpt.Grads[name] is not null), $"{what}: {name} has a gradient on one path only");
            if (g is not null) checks.Close($"grad {name}", ckpt.Grads[name]!, g, Atol, Rtol);
        }
        checks.AssertAll(output);
    }

    [Theory]
    [InlineData("test-clip-tiny", true)]
    [InlineData("test-clip-tiny", false)]
    [InlineData("test-clips-tiny", false)]
    [InlineData("test-coca-tiny", false)]
    public void Loss_and_every_gradient_equal_the_plain_path(string config, bool fast)
    {
        manual_seed(21);
        using var model = ModelFactory.Create(Config(config));
        model.train();
        AssertSame($"{config} {(fast ? "pooled route" : "full forward")}", Train(model, false, fast), Train(model, true, fast));
    }

    [Fact]
    public void Gradients_accumulate_over_backward_passes_as_on_the_plain_path()
    {
        manual_seed(22);
        using var model = ModelFactory.Create(Config("test-clips-tiny"));
        model.train();
        AssertSame("test-clips-tiny, two backward passes", Train(model, false, false, passes: 2), Train(model, true, false, passes: 2));
    }

    [Fact]
    public void A_frozen_tower_gets_no_gradient_and_the_rest_is_unchanged()
    {
        manual_seed(23);
        using var model = ModelFactory.Create(Config("test-clip-tiny"));
        model.train();
        foreach (var (name, p) in model.named_parameters()) if (name.StartsWith("visual.", StringComparison.Ordinal)) p.requires_grad = false;
        var plain = Train(model, false, true);
        var ckpt = Train(model, true, true);
        Assert.All(ckpt.Grads.Where(g => g.Key.StartsWith("visual.", StringComparison.Ordinal)), g => Assert.Null(g.Value));
        AssertSame("test-clip-tiny, frozen vision tower", plain, ckpt);
    }

    [Fact]
    public void The_switch_reaches_every_block_stack_and_no_grad_forwards_are_plain()
    {
        manual_seed(24);
        using var model = (ClipsModel)ModelFactory.Create(Config("test-clips-tiny"));
        model.SetGradCheckpointing(true);
        var stacks = model.modules().OfType<IGradCheckpointing>().ToList();
        Assert.Equal(3, stacks.Count);                                     // vision, text, captioner
        Assert.All(stacks, s => Assert.True(s.GradCheckpointing));
        var x = MakeInputs(model.Config, 5);
        using (no_grad())
        {
            var ckpt = model.EncodeImageFull(x.Images).Pooled;
            model.SetGradCheckpointing(false);
            var plain = model.EncodeImageFull(x.Images).Pooled;
            Assert.True(ckpt.equal(plain).all().item<bool>());
        }
        Assert.All(stacks, s => Assert.False(s.GradCheckpointing));
    }
}

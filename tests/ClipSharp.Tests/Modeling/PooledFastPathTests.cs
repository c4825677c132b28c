using ClipSharp.Modeling;
using ClipSharp.Tests.Support;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace ClipSharp.Tests.Modeling;

/// <summary>
/// EncodeImage / EncodeText take a cheaper route to the pooled features (causal sequences cut after the last pooled
/// position, the last block for the pooled row only). It must give the full forward's pooled features and the same
/// parameter gradients, for every tower variant that takes it and for those that fall back.
/// </summary>
[Collection("GlobalTorchState")]
public class PooledFastPathTests
{
    private const double Tol = 2e-5;

    public static TheoryData<string> Variants() =>
    [
        "clip", "clip-eos", "clip-first", "clip-causal-last", "clip-layerscale", "clip-one-layer", "clips", "clips-padmask",
        "coca", "vision-avg", "vision-final-ln-after-pool",
    ];

    private static ModelConfig Config(string variant)
    {
        static ModelConfig Read(string name) =>
            ModelConfigReader.ReadFile(Path.Combine(TestPaths.RepoRoot, "configs", "models", name + ".json")).Model;
        var clip = Read("test-clip-tiny");
        return variant switch
        {
            "clip" => clip,
            "clip-eos" => clip with { Text = clip.Text with { Pool = TextPool.Eos, EosId = clip.Text.VocabSize - 1 } },
            "clip-first" => clip with { Text = clip.Text with { Pool = TextPool.First } },
            "clip-causal-last" => clip with { Text = clip.Text with { Pool = TextPool.Last } },
            "clip-layerscale" => clip with { Text = clip.Text with { LsInitValue = 0.5 }, Vision = clip.Vision with { LsInitValue = 0.5 } },
            "clip-one-layer" => clip with { Text = clip.Text with { Layers = 1 }, Vision = clip.Vision with { Layers = 1 } },
            "clips" => Read("test-clips-tiny"),
            "clips-padmask" => Read("test-clips-tiny") is var c ? c with { Text = c.Text with { UsePadMask = true } } : null!,
            "coca" => Read("test-coca-tiny"),
            "vision-avg" => clip with { Vision = clip.Vision with { Pool = VisionPool.Average } },
            "vision-final-ln-after-pool" => clip with { Vision = clip.Vision with { FinalLnAfterPool = true } },
            _ => throw new ArgumentException(variant),
        };
    }

    // Rows of different lengths: random ids, the highest id (EOT) at position p, pad 0 after it; the longest row ends
    // well before the context length, so a causal tower really is cut.
    private static Tensor Ids(TextConfig t, Generator g)
    {
        int b = 5, l = t.ContextLength;
        var ids = randint(1, t.VocabSize - 2, [b, l], dtype: ScalarType.Int64, generator: g);
        int[] ends = [3, 1, l / 2, 6, 2];
        for (int i = 0; i < b; i++)
        {
            ids[i, ends[i]] = tensor((long)t.VocabSize - 1);
            ids[i, (ends[i] + 1)..] = tensor(0L);
        }
        return ids;
    }

    [Theory]
    [MemberData(nameof(Variants))]
    public void Pooled_features_and_gradients_equal_the_full_forward(string variant)
    {
        var cfg = Config(variant);
        manual_seed(11);
        var model = ModelFactory.Create(cfg);
        var g = new Generator(5);
        var images = randn([3, 3, cfg.Vision.ImageSize, cfg.Vision.ImageSize], generator: g);
        var ids = Ids(cfg.Text, g);
        var wImg = randn([3, cfg.EmbedDim], generator: g);
        var wTxt = randn([ids.shape[0], cfg.EmbedDim], generator: g);

        var (fastImg, fastTxt, fastGrads) = Run(model, m => (m.EncodeImage(images, false), m.EncodeText(ids, false)), wImg, wTxt);
        var (fullImg, fullTxt, fullGrads) = Run(model, m => (m.EncodeImageFull(images).Pooled, m.EncodeTextFull(ids).Pooled), wImg, wTxt);

        AssertClose(fullImg, fastImg, $"{variant}: image features");
        AssertClose(fullTxt, fastTxt, $"{variant}: text features");
        foreach (var (name, full) in fullGrads)
        {
            var fast = fastGrads[name];
            if (full is null || fast is null)
            {
                Assert.True((full is null || full.abs().max().item<float>() == 0) && (fast is null || fast.abs().max().item<float>() == 0),
                    $"{variant}: {name} has a gradient on one route only");
                continue;
            }
            AssertClose(full, fast, $"{variant}: grad of {name}");
        }
    }

    [Fact]
    public void Empty_batches_give_empty_features()
    {
        var cfg = Config("clip");
        manual_seed(3);
        var model = ModelFactory.Create(cfg);
        using var _ = no_grad();
        Assert.Equal(new long[] { 0, cfg.EmbedDim }, model.EncodeText(zeros(0, cfg.Text.ContextLength, dtype: ScalarType.Int64), true).shape);
        Assert.Equal(new long[] { 0, cfg.EmbedDim }, model.EncodeImage(zeros(0, 3, cfg.Vision.ImageSize, cfg.Vision.ImageSize), true).shape);
    }

    private static (Tensor Img, Tensor Txt, Dictionary<string, Tensor?> Grads) Run(ContrastiveModel model,
        Func<ContrastiveModel, (Tensor, Tensor)> encode, Tensor wImg, Tensor wTxt)
    {
        model.zero_grad();
        var (img, txt) = encode(model);
        (img.mul(wImg).sum() + txt.mul(wTxt).sum()).backward();
        var grads = model.named_parameters().ToDictionary(p => p.name, p => p.parameter.grad?.clone());
        return (img.detach(), txt.detach(), grads);
    }

    private static void AssertClose(Tensor expected, Tensor actual, string what)
    {
        Assert.Equal(expected.shape, actual.shape);
        double diff = (expected - actual).abs().max().item<float>();
        double scale = Math.Max(1.0, expected.abs().max().item<float>());
        Assert.True(diff <= Tol * scale, $"{what}: max |diff| {diff:G3} (scale {scale:G3})");
    }
}

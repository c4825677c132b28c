using ClipSharp.Modeling;
using TorchSharp;
using static TorchSharp.torch;

namespace ClipSharp.Tests.Modeling;

/// <summary>
/// model.to(dtype) (and to(cuda), the same TorchSharp path) replaces and disposes every registered parameter; OpenCLIP's
/// CLIP registers its text tower's parameters at the root, so the tower's own fields must follow or it reads disposed
/// tensors ("Tensor invalid -- empty handle" in TextTransformer.Embed before the fix).
/// </summary>
public class ModelCastTests
{
    [Theory]
    [InlineData("test-clip-tiny")]
    [InlineData("test-clips-tiny")]
    [InlineData("test-coca-tiny")]
    public void ACastModelStillEncodes(string name)
    {
        manual_seed(3);
        var cfg = ModelFactory.LoadConfig(name).Model;
        var model = ModelFactory.Create(cfg);
        model.eval();
        var images = randn(2, 3, cfg.Vision.ImageSize, cfg.Vision.ImageSize);
        var ids = randint(1, cfg.Text.VocabSize, [2, cfg.Text.ContextLength], dtype: ScalarType.Int64);
        using var _ = no_grad();
        var before = model.EncodeText(ids, normalize: true);
        model.to(ScalarType.BFloat16);
        Assert.All(model.parameters(), p => Assert.Equal(ScalarType.BFloat16, p.dtype));
        var text = model.EncodeText(ids, normalize: true);
        var image = model.EncodeImage(images.to(ScalarType.BFloat16), normalize: true);
        Assert.Equal(ScalarType.BFloat16, text.dtype);
        Assert.Equal(ScalarType.BFloat16, image.dtype);
        double cos = nn.functional.cosine_similarity(before, text.to(ScalarType.Float32), dim: -1).min().item<float>();
        Assert.True(cos > 0.99, $"text features after the cast: cosine {cos}");
    }
}

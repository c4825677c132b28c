using ClipSharp.Scenes;
using SkiaSharp;

namespace ClipSharp.Tests.Scenes;

public class SceneRendererTests
{
    private static Scene OneObject(PatternKind pattern, SceneColour colour = SceneColour.Red, int row = 1, int col = 1) =>
        new(new SceneBackground(BackgroundKind.Plain, SceneColour.White),
            [new SceneObject(ShapeKind.Square, colour, SizeClass.Large, pattern, row, col)]);

    [Theory]
    [InlineData(64, ImageFormat.Jpeg)]
    [InlineData(224, ImageFormat.Jpeg)]
    [InlineData(64, ImageFormat.Png)]
    [InlineData(224, ImageFormat.Png)]
    public void EncodesRealImagesAtAnySize(int size, ImageFormat format)
    {
        using var renderer = new SceneRenderer(size);
        var scene = new SceneSampler(WorldConfig.Default).Sample(SceneRandom.For(0, "r", size), 4);
        var bytes = renderer.Encode(scene, format);
        using var bitmap = SKBitmap.Decode(bytes);
        Assert.NotNull(bitmap);
        Assert.Equal(size, bitmap.Width);
        Assert.Equal(size, bitmap.Height);
        if (format == ImageFormat.Png) Assert.Equal(0x89, bytes[0]); else Assert.Equal(0xFF, bytes[0]);
    }

    [Theory]
    [InlineData(64)]
    [InlineData(224)]
    public void ObjectIsDrawnWhereTheSceneSaysInItsColour(int size)
    {
        using var renderer = new SceneRenderer(size);
        var px = renderer.RenderPixels(OneObject(PatternKind.Solid, row: 0, col: 2));
        (int R, int G, int B) At(double cx, double cy)
        {
            var (x, y) = ((int)(cx * size / 3), (int)(cy * size / 3));
            var k = 4 * (y * size + x);
            return (px[k], px[k + 1], px[k + 2]);
        }
        Assert.Equal((220, 38, 38), At(2.5, 0.5));       // object centre: red
        Assert.Equal((250, 250, 250), At(0.5, 2.5));     // elsewhere: the white background
        // the outlined version leaves its centre empty
        var outlined = renderer.RenderPixels(OneObject(PatternKind.Outlined, row: 0, col: 2));
        var k0 = 4 * ((size / 6) * size + (5 * size / 6));
        Assert.Equal(250, outlined[k0]);
    }

    [Fact]
    public void PhotometricNoiseIsMildAndSeeded()
    {
        using var renderer = new SceneRenderer(64);
        var clean = OneObject(PatternKind.Solid);
        var noisy = clean with { Noise = new PhotometricNoise(7, 0.0, 1.0, 0.02) };
        var a = renderer.RenderPixels(clean);
        var b = renderer.RenderPixels(noisy);
        var c = renderer.RenderPixels(noisy);
        var d = renderer.RenderPixels(noisy with { Noise = new PhotometricNoise(8, 0.0, 1.0, 0.02) });
        Assert.Equal(b, c);
        Assert.NotEqual(b, d);
        var diffs = a.Zip(b, (x, y) => Math.Abs(x - y)).ToArray();
        var mean = diffs.Average();
        Assert.InRange(mean, 1.0, 12.0);  // about 0.8 × 255 × 0.02 ≈ 4, minus clipping at 250..255
    }

    [Fact]
    public void EveryShapeAndPatternDrawsSomething()
    {
        using var renderer = new SceneRenderer(64);
        var blank = renderer.RenderPixels(new Scene(new SceneBackground(BackgroundKind.Plain, SceneColour.White), []));
        foreach (var shape in SceneLexicon.Shapes)
        foreach (var pattern in SceneLexicon.Patterns)
        {
            var scene = new Scene(new SceneBackground(BackgroundKind.Plain, SceneColour.White),
                [new SceneObject(shape, SceneColour.Blue, SizeClass.Small, pattern, 1, 1)]);
            var px = renderer.RenderPixels(scene);
            var changed = px.Where((v, i) => v != blank[i]).Count();
            Assert.True(changed > 20, $"{shape}/{pattern} changed only {changed} bytes");
        }
    }
}

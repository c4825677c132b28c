using ClipSharp.Scenes;
using ClipSharp.Tests.Cli;
using SkiaSharp;

namespace ClipSharp.Tests.Scenes;

[Collection("Console")]
public class ScenesCommandTests
{
    [Fact]
    public void GenerateWritesASmallDataset()
    {
        var dir = Support.TestPaths.NewTempDir();
        var (code, output, err) = CliTests.Run("scenes", "generate", "--out", dir, "--train", "30", "--eval", "4", "--bags", "3",
            "--size", "48", "--seed", "5", "--shard-size", "20");
        Assert.True(code == 0, err);
        Assert.Contains("wrote 30 train + 4 eval", output);
        Assert.True(File.Exists(Path.Combine(dir, "train", "train-000001.tar")));
        Assert.True(File.Exists(Path.Combine(dir, "eval", "dataset_eval.json")));
        Assert.True(File.Exists(Path.Combine(dir, "bags", "bags.json")));
        Assert.True(File.Exists(Path.Combine(dir, "manifest.json")));
        using var img = SKBitmap.Decode(Path.Combine(dir, "eval", "images", "000003.jpg"));
        Assert.Equal(48, img.Width);
    }

    [Fact]
    public void RenderDrawsAGivenSceneAndRejectsABadOne()
    {
        var dir = Support.TestPaths.NewTempDir();
        var scene = new WorldSamples(WorldConfig.Default, 1).Train(0).Scene;
        var json = Path.Combine(dir, "scene.json");
        File.WriteAllText(json, SceneJson.ToJson(scene, indented: true));
        var (code, _, err) = CliTests.Run("scenes", "render", json, "--size", "96", "--format", "png");
        Assert.True(code == 0, err);
        using var img = SKBitmap.Decode(Path.Combine(dir, "scene.png"));
        Assert.Equal(96, img.Width);
        using var renderer = new SceneRenderer(96);
        Assert.Equal(renderer.RenderPixels(scene), img.Bytes.Length == 96 * 96 * 4 ? Rgba(img) : null);

        File.WriteAllText(json, "{\"background\": 3}");
        var (bad, _, badErr) = CliTests.Run("scenes", "render", json);
        Assert.Equal(2, bad);
        Assert.StartsWith("error: Scene file", badErr);
    }

    private static byte[] Rgba(SKBitmap bmp)
    {
        using var converted = new SKBitmap(new SKImageInfo(bmp.Width, bmp.Height, SKColorType.Rgba8888, SKAlphaType.Premul));
        bmp.CopyTo(converted, SKColorType.Rgba8888);
        return converted.Bytes;
    }
}

using ClipSharp.Core;
using ClipSharp.Data.Images;

namespace ClipSharp.Tests.Data.Images;

public class PreprocessConfigTests
{
    [Fact]
    public void PresetsCarryOpenAiAndClipsSettings()
    {
        var oa = PreprocessConfig.OpenAi();
        Assert.Equal((224, 224), (oa.Height, oa.Width));
        Assert.Equal(new[] { 0.48145466f, 0.4578275f, 0.40821073f }, oa.Mean);
        Assert.Equal(new[] { 0.26862954f, 0.26130258f, 0.27577711f }, oa.Std);
        Assert.Equal((Interpolation.Bicubic, ResizeMode.Shortest), (oa.Interpolation, oa.ResizeMode));
        var clips = PreprocessConfig.Clips(336);
        Assert.Equal(336, clips.Height);
        Assert.Equal(new[] { 0.485f, 0.456f, 0.406f }, clips.Mean);
        Assert.Equal((Interpolation.Bilinear, ResizeMode.Squash), (clips.Interpolation, clips.ResizeMode));
    }

    [Fact]
    public void JsonRoundTripsAndAcceptsSizePairs()
    {
        var cfg = PreprocessConfig.Clips() with { Height = 256, Width = 192, FillColor = 128, ResizeMode = ResizeMode.Longest };
        var back = PreprocessConfig.FromJson(cfg.ToJson());
        Assert.Equal(cfg, back);
        var parsed = PreprocessConfig.FromJson("""{"image_size": [240, 320], "mean": [0.5, 0.5, 0.5], "std": [0.5, 0.5, 0.5], "interpolation": "nearest", "resize_mode": "squash", "mode": "RGB"}""");
        Assert.Equal((240, 320, Interpolation.Nearest, ResizeMode.Squash), (parsed.Height, parsed.Width, parsed.Interpolation, parsed.ResizeMode));
        Assert.Equal(PreprocessConfig.OpenAi(384), PreprocessConfig.FromJson("""{"image_size": 384}"""));
    }

    [Theory]
    [InlineData("""{"image_sise": 224}""", "unknown key 'image_sise'")]
    [InlineData("""{"interpolation": "lanczos"}""", "unknown interpolation")]
    [InlineData("""{"resize_mode": "crop"}""", "unknown resize_mode")]
    [InlineData("""{"std": [0.5, 0, 0.5]}""", "std values must be positive")]
    [InlineData("""{"mean": [0.5, 0.5]}""", "mean and std must have 3 values")]
    [InlineData("""{"image_size": [1, 2, 3]}""", "must be an int or [height, width]")]
    [InlineData("""[1]""", "expected a JSON object")]
    public void BadJsonNamesTheProblem(string json, string expected)
    {
        var e = Assert.Throws<ClipSharpException>(() => PreprocessConfig.FromJson(json, "cfg.json"));
        Assert.StartsWith("cfg.json: ", e.Message);
        Assert.Contains(expected, e.Message);
    }
}

using ClipSharp.Core;
using ClipSharp.Scenes;

namespace ClipSharp.Tests.Scenes;

public class SceneJsonTests
{
    [Fact]
    public void RoundTripRendersIdenticalPixels()
    {
        var sampler = new SceneSampler(WorldConfig.Default);
        using var renderer = new SceneRenderer(64);
        for (var i = 0; i < 20; i++)
        {
            var scene = sampler.Sample(SceneRandom.For(3, "json", i));
            var json = SceneJson.ToJson(scene, indented: i % 2 == 0);
            var back = SceneJson.Parse(json);
            Assert.Equal(SceneJson.ToJson(scene), SceneJson.ToJson(back));
            Assert.Equal(renderer.RenderPixels(scene), renderer.RenderPixels(back));
        }
    }

    [Fact]
    public void JsonUsesSnakeCaseNames()
    {
        var scene = new Scene(new SceneBackground(BackgroundKind.Gradient, SceneColour.PaleBlue, SceneColour.White),
            [new SceneObject(ShapeKind.Star, SceneColour.Red, SizeClass.Large, PatternKind.Striped, 0, 2)]);
        var json = SceneJson.ToJson(scene);
        Assert.Contains("\"colour\":\"pale_blue\"", json);
        Assert.Contains("\"shape\":\"star\"", json);
        Assert.Contains("\"pattern\":\"striped\"", json);
        Assert.DoesNotContain("center_x", json);
        Assert.DoesNotContain("salient", json);
    }

    [Theory]
    [InlineData("{\"background\":{\"kind\":\"plain\",\"colour\":\"white\"},\"objects\":[{\"shape\":\"blob\",\"colour\":\"red\",\"size\":\"large\",\"pattern\":\"solid\",\"row\":0,\"col\":0}]}", "objects[0].shape")]
    [InlineData("{\"background\":{\"kind\":\"plain\",\"colour\":\"white\"},\"objects\":[{\"shape\":\"star\",\"colour\":\"red\",\"size\":\"large\",\"pattern\":\"solid\",\"row\":3,\"col\":0}]}", "row 3")]
    [InlineData("{\"background\":{\"kind\":\"plain\",\"colour\":\"white\"},\"objects\":[],\"extra\":1}", "extra")]
    public void InvalidSceneIsOneClearError(string json, string mentions)
    {
        var e = Assert.Throws<ClipSharpException>(() => SceneJson.Parse(json, "my.json"));
        Assert.Contains("my.json", e.Message);
        Assert.Contains(mentions, e.Message);
    }
}

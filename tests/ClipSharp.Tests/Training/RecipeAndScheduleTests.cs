using ClipSharp.Core;
using ClipSharp.Training.Recipes;
using ClipSharp.Training.Schedules;

namespace ClipSharp.Tests.Training;

public class RecipeAndScheduleTests
{
    [Fact]
    public void ShippedRecipesParseAndNameTheirModels()
    {
        foreach (var name in new[] { "quickstart", "quickstart-baseline" })
        {
            var r = RecipeReader.Read(name);
            Assert.StartsWith("quickstart", r.Model);
            Assert.NotEmpty(r.Evals);
            Assert.True(File.ReadAllText(RecipeReader.Resolve(name)).TrimStart().StartsWith("//", StringComparison.Ordinal), $"{name} needs a header comment");
        }
    }

    [Fact]
    public void UnknownKeyIsAnErrorNamingKeyAndFile()
    {
        var e = Assert.Throws<ClipSharpException>(() => RecipeReader.Parse("{\"optim\": {\"lrr\": 1}}", "my.jsonc"));
        Assert.Contains("my.jsonc", e.Message);
        Assert.Contains("lrr", e.Message);
    }

    [Theory]
    [InlineData("{\"optim\": {\"lrr\": 1}}", "optim.lrr")]
    [InlineData("{\"foo\": 1}", "foo")]
    [InlineData("{\"data\": {\"sources\": [{\"pathh\": \"x\"}]}}", "data.sources[0].pathh")]
    public void UnknownKeyIsNamedOnceWithItsPath(string json, string key)
    {
        var e = Assert.Throws<ClipSharpException>(() => RecipeReader.Parse(json, "my.jsonc"));
        Assert.Contains($"unknown key '{key}'.", e.Message);
    }

    // A bad --set names the argument, not only the file; the key appears once ('optim.lrr', never 'optim.lrr.lrr').
    [Theory]
    [InlineData("optim.lrr=1e-3", "unknown key 'optim.lrr'.")]
    [InlineData("foo=1", "unknown key 'foo'.")]
    [InlineData("optim.lr=abc", "invalid value for 'optim.lr'")]
    public void BadOverridesBlameTheSetArgument(string assignment, string expected)
    {
        var e = Assert.Throws<ClipSharpException>(() => RecipeReader.Parse(TrainingWorld.RecipeText(), "r.jsonc", [assignment]));
        Assert.StartsWith($"Override --set {assignment} (recipe r.jsonc): ", e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void ABadValueInTheFileBlamesTheFile()
    {
        var e = Assert.Throws<ClipSharpException>(() => RecipeReader.Parse("{\"optim\": {\"lr\": \"abc\"}}", "my.jsonc", ["name=ok"]));
        Assert.StartsWith("Recipe my.jsonc: invalid value for 'optim.lr'", e.Message);
    }

    [Fact]
    public void OverridesSetNestedFieldsAndListItems()
    {
        var r = RecipeReader.Parse(TrainingWorld.RecipeText(), "t", ["optim.lr=3e-4", "data.sources.0.path=/x/y", "task.reduction.budget=8", "name=renamed"]);
        Assert.Equal(3e-4, r.Optim.Lr);
        Assert.Equal("/x/y", r.Data.Sources[0].Path);
        Assert.Equal(8, r.Task.Reduction.Budget);
        Assert.Equal("renamed", r.Name);
        Assert.Null(RecipeReader.Parse(TrainingWorld.RecipeText(), "t", ["task.reduction.budget=null"]).Task.Reduction.Budget);
        Assert.Throws<ClipSharpException>(() => RecipeReader.Parse(TrainingWorld.RecipeText(), "t", ["optim.nope=1"]));
        Assert.Throws<ClipSharpException>(() => RecipeReader.Parse(TrainingWorld.RecipeText(), "t", ["optim.lr"]));
    }

    [Fact]
    public void RoundTripsThroughJson()
    {
        var r = TrainingWorld.Recipe();
        var back = RecipeReader.Parse(RecipeReader.ToJson(r), "roundtrip");
        Assert.Equal(RecipeReader.ToJson(r), RecipeReader.ToJson(back));
    }

    [Fact]
    public void WarmupIsLinearThenCosineReachesMinLr()
    {
        var s = new LrSchedule("cosine", 1.0, TotalSteps: 110, WarmupSteps: 10, MinLr: 0.1);
        Assert.Equal(0.1, s.At(0), 12);          // (0 + 1) / 10
        Assert.Equal(1.0, s.At(9), 12);
        Assert.Equal(1.0, s.At(10), 12);        // cosine starts at the peak
        Assert.Equal(0.55, s.At(60), 12);       // half way: min + (max - min) / 2
        Assert.True(s.At(109) < 0.11 && s.At(109) >= 0.1);
        for (long t = 11; t < 110; t++) Assert.True(s.At(t) <= s.At(t - 1));
    }

    [Fact]
    public void ConstantAndCooldownSchedules()
    {
        var c = new LrSchedule("constant", 0.5, 100, 0);
        Assert.All(Enumerable.Range(0, 100), t => Assert.Equal(0.5, c.At(t)));
        var cd = new LrSchedule("const-cooldown", 1.0, TotalSteps: 100, WarmupSteps: 0, CooldownSteps: 20);
        Assert.Equal(1.0, cd.At(79));
        Assert.True(cd.At(90) < 1.0 && cd.At(99) < cd.At(90));
        Assert.Throws<ClipSharpException>(() => LrSchedule.From(new ScheduleRecipe { Kind = "linear-ish" }, 1.0));
    }
}

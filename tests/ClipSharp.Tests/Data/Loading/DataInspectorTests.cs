using ClipSharp.Data;

namespace ClipSharp.Tests.Data.Loading;

public class DataInspectorTests
{
    [Fact]
    public void InspectCountsCoverageAndBadSamples()
    {
        var dir = Support.TestPaths.NewTempDir("clipsharp-inspect");
        for (int i = 0; i < 3; i++)
        {
            var g = BadCorpus.Good(i);
            File.WriteAllBytes(Path.Combine(dir, $"g{i}.jpg"), g.Jpg);
            if (i < 2) File.WriteAllBytes(Path.Combine(dir, $"g{i}.json"), BadCorpus.Json(g.Web, i == 0 ? g.Synthetic : null));
        }
        File.WriteAllBytes(Path.Combine(dir, "h.png"), BadCorpus.GiganticPng());
        Assert.Equal("folder", DataSourceSpec.InferType(dir));
        var r = DataInspector.Inspect(new DataSourceSpec { Type = DataSourceSpec.InferType(dir), Path = dir }, tokenizer: TestWorld.Tokenizer);
        Assert.Equal(4, (long)r["records_read"]!);
        Assert.Equal(3, (long)r["usable_images"]!);
        Assert.Equal(2, (long)r["web_caption"]!["present"]!);
        Assert.Equal(1, (long)r["synthetic_caption"]!["present"]!);
        Assert.Equal(TestWorld.Tokenizer.ContentIds(BadCorpus.Good(0).Synthetic).Length, (int)r["synthetic_caption"]!["tokens"]!["max"]!);
        Assert.Equal(1, (long)r["bad_samples"]!["by_reason"]![BadSampleReasons.ImageTooLarge]!["count"]!);
        Assert.Equal("g0", (string)r["examples"]![0]!["key"]!);
        var limited = DataInspector.Inspect(new DataSourceSpec { Type = "folder", Path = dir }, limit: 2);
        Assert.Equal(2, (long)limited["records_read"]!);
    }
}

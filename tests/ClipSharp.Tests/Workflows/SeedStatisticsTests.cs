using ClipSharp.Workflows.Experiments;

namespace ClipSharp.Tests.Workflows;

/// <summary>Mean ± sample standard deviation over seeds, and its summary of every eval's metrics.</summary>
public class SeedStatisticsTests
{
    [Fact]
    public void OneSeedHasNoSpread()
    {
        var m = SeedStatistics.Of([0.25]);
        Assert.Equal(new MeanSd(0.25, 0, 1), m);
        Assert.Equal("0.25 ± 0.00", m.Format());
    }

    [Fact]
    public void TheSdIsTheSampleSdWithNMinusOne()
    {
        var two = SeedStatistics.Of([1.0, 3.0]);
        Assert.Equal(2.0, two.Mean, 12);
        Assert.Equal(Math.Sqrt(2), two.Sd, 12);                  // ((1-2)² + (3-2)²) / (2-1) = 2
        var eight = SeedStatistics.Of([2.0, 4, 4, 4, 5, 5, 7, 9]);
        Assert.Equal(5.0, eight.Mean, 12);
        Assert.Equal(Math.Sqrt(32.0 / 7), eight.Sd, 12);         // population sd would be 2
        Assert.Equal(8, eight.N);
    }

    [Fact]
    public void NonFiniteValuesAreLeftOutAndNoValueIsADash()
    {
        Assert.Equal(new MeanSd(2, 0, 1), SeedStatistics.Of([double.NaN, 2.0]));
        var none = SeedStatistics.Of([]);
        Assert.Equal(0, none.N);
        Assert.Equal("-", none.Format());
        Assert.Null(none.ToJson()["mean"]);
    }

    [Fact]
    public void SignedFormatShowsTheMeansSignButNotTheSds()
    {
        Assert.Equal("+1.50 ± 0.71", SeedStatistics.Of([1.0, 2.0]).Format(signed: true));
        Assert.Equal("-1.5 ± 0.7", SeedStatistics.Of([-1.0, -2.0]).Format("0.0", signed: true));
    }

    [Fact]
    public void SummarizeCoversEveryEvalAndMetricOverTheSeedsThatHaveIt()
    {
        IReadOnlyDictionary<string, IReadOnlyDictionary<string, double>> Seed(double r1, double? bag) =>
            bag is { } b
                ? new Dictionary<string, IReadOnlyDictionary<string, double>> { ["eval"] = new Dictionary<string, double> { ["r1"] = r1 }, ["bags"] = new Dictionary<string, double> { ["acc"] = b } }
                : new Dictionary<string, IReadOnlyDictionary<string, double>> { ["eval"] = new Dictionary<string, double> { ["r1"] = r1 } };
        var s = SeedStatistics.Summarize([Seed(0.1, 0.5), Seed(0.3, null), Seed(0.2, 0.7)]);
        Assert.Equal(0.2, s["eval"]["r1"].Mean, 12);
        Assert.Equal(0.1, s["eval"]["r1"].Sd, 12);
        Assert.Equal(3, s["eval"]["r1"].N);
        Assert.Equal(2, s["bags"]["acc"].N);                      // the seed without bags is left out
        Assert.Equal(0.6, s["bags"]["acc"].Mean, 12);
    }

    [Fact]
    public void MeanRecallIsTheMeanOfTheSixRecallsInPoints()
    {
        var m = ExperimentWorld.RecallKeys.Select((k, i) => (k, v: 0.1 * (i + 1))).ToDictionary(x => x.k, x => x.v);
        Assert.Equal(35.0, ExperimentWorld.MeanRecall(m), 9);    // 100 × (0.1 + ... + 0.6) / 6
        m.Remove("text_retrieval_recall@10");
        Assert.True(double.IsNaN(ExperimentWorld.MeanRecall(m)));
    }
}

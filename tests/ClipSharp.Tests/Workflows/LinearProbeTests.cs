using ClipSharp.Core;
using ClipSharp.Workflows.Probes;
using static TorchSharp.torch;

namespace ClipSharp.Tests.Workflows;

/// <summary>
/// The logistic-regression probe of <c>experiment probe</c>: it recovers a label that is a linear function of the
/// features, stays near chance on labels that are not (so the first assertion can fail), and its split and majority
/// baseline are what they say.
/// </summary>
public class LinearProbeTests
{
    private const int Rows = 600, Dims = 16, Classes = 4;

    // Features (Rows, Dims) from a seeded generator, scaled and shifted per column so standardisation matters.
    private static Tensor Features()
    {
        var gen = new TorchSharp.torch.Generator(5);
        using var raw = randn([Rows, Dims], generator: gen);
        using var scale = linspace(0.1, 10, Dims);
        using var shift = linspace(-50, 50, Dims);
        using var scaled = raw.mul(scale);
        return scaled.add(shift);
    }

    [Fact]
    public void RecoversALinearlyEncodedLabelAndStaysNearChanceOnRandomLabels()
    {
        using var x = Features();
        var gen = new TorchSharp.torch.Generator(9);
        using var a = randn([Dims, Classes], generator: gen);
        using var std = x.std([0]);
        using var z = x.sub(x.mean([0])).div(std);
        using var score = z.matmul(a);
        var linear = score.argmax(1).data<long>().ToArray();                    // a linear function of the features
        var rng = new Random(3);
        var random = Enumerable.Range(0, Rows).Select(_ => (long)rng.Next(Classes)).ToArray();
        var (train, heldOut) = LinearProbe.Split(Rows, 0.2, seed: 0);

        var fit = LinearProbe.Fit(x, linear, Classes, train, heldOut);
        Assert.True(fit.HeldOutAccuracy > 0.9, $"held-out accuracy {fit.HeldOutAccuracy} on a linear label");
        var noise = LinearProbe.Fit(x, random, Classes, train, heldOut);
        Assert.True(noise.HeldOutAccuracy < 0.4, $"held-out accuracy {noise.HeldOutAccuracy} on random labels (chance 0.25)");
        Assert.True(noise.TrainAccuracy > noise.HeldOutAccuracy, "random labels are fitted only where they were seen");
        Assert.Equal(fit, LinearProbe.Fit(x, linear, Classes, train, heldOut));  // deterministic
    }

    [Fact]
    public void TheSplitIsSeededDisjointAndComplete()
    {
        var (train, heldOut) = LinearProbe.Split(100, 0.2, seed: 1);
        Assert.Equal(20, heldOut.Length);
        Assert.Equal(Enumerable.Range(0, 100).Select(i => (long)i), train.Concat(heldOut).Order());
        Assert.Equal(heldOut, LinearProbe.Split(100, 0.2, seed: 1).HeldOut);
        Assert.NotEqual(heldOut, LinearProbe.Split(100, 0.2, seed: 2).HeldOut);
        Assert.Single(LinearProbe.Split(2, 0.01, seed: 0).HeldOut);             // at least one each side
        Assert.Throws<ClipSharpException>(() => LinearProbe.Split(10, 1.0, seed: 0));
    }

    [Fact]
    public void MajorityIsTheTrainingSplitsMostCommonClassScoredOnTheHeldOutRows()
    {
        long[] labels = [2, 2, 2, 1, 0, 1, 1, 2];
        // training rows 0-4: class 2 three times; held-out rows 5-7: one of three is 2
        Assert.Equal(1 / 3.0, LinearProbe.MajorityAccuracy(labels, 3, [0, 1, 2, 3, 4], [5, 6, 7]), 9);
    }

    [Fact]
    public void BadInputIsAnErrorNamingTheProblem()
    {
        using var x = zeros([4, 2]);
        var e = Assert.Throws<ClipSharpException>(() => LinearProbe.Fit(x, [0, 1, 2, 0], 2, [0, 1], [2, 3]));
        Assert.Contains("[0, 2)", e.Message);
        Assert.Throws<ClipSharpException>(() => LinearProbe.Fit(x, [0, 1, 0], 2, [0, 1], [2]));
    }
}

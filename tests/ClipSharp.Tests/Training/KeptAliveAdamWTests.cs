using ClipSharp.Training.Optim;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ClipSharp.Tests.Training;

/// <summary><see cref="KeptAliveAdamW"/> must update exactly like TorchSharp's AdamW (bit for bit), state included.</summary>
public sealed class KeptAliveAdamWTests
{
    private static List<Parameter> Params(long seed)
    {
        var g = new Generator((ulong)seed);
        return [new Parameter(torch.randn(16, 8, generator: g)), new Parameter(torch.randn(8, generator: g)), new Parameter(torch.randn(3, 4, 5, generator: g))];
    }

    private static List<AdamW.ParamGroup> Groups(List<Parameter> ps, double weightDecay) =>
    [
        new([ps[1]], 2e-3, 0.9, 0.98, 1e-6, 0.0),
        new([ps[0], ps[2]], 2e-3, 0.9, 0.98, 1e-6, weightDecay),
    ];

    [Fact]
    public void StepsMatchTorchSharpAdamWBitForBit()
    {
        var mine = Params(7);
        var theirs = Params(7);
        using var a = new KeptAliveAdamW(Groups(mine, 0.2), 2e-3, 0.9, 0.98, 1e-6, 0.2);
        using var b = optim.AdamW(Groups(theirs, 0.2), 2e-3, 0.9, 0.98, 1e-6, 0.2);
        var gradGen = new Generator(11);
        for (int step = 0; step < 6; step++)
        {
            double lr = 2e-3 * (step + 1) / 6.0; // a schedule: the lr changes every step
            foreach (var g in a.ParamGroups) g.LearningRate = lr;
            foreach (var g in b.ParamGroups) g.LearningRate = lr;
            for (int i = 0; i < mine.Count; i++)
            {
                if (step == 2 && i == 1) { mine[i].grad = null; theirs[i].grad = null; continue; } // a parameter without gradient is skipped
                var grad = torch.randn(mine[i].shape, generator: gradGen);
                mine[i].grad = grad.clone();
                theirs[i].grad = grad.clone();
            }
            a.step();
            b.step();
        }
        for (int i = 0; i < mine.Count; i++)
            Assert.True(Same(mine[i], theirs[i]), $"parameter {i} differs by {(mine[i] - theirs[i]).abs().max().item<float>()}");
        var sa = a.state_dict().State.Cast<AdamW.State>().ToList();
        var sb = b.state_dict().State.Cast<AdamW.State>().ToList();
        for (int i = 0; i < sa.Count; i++)
        {
            Assert.Equal(sb[i].step, sa[i].step);
            Assert.True(Same(sa[i].exp_avg, sb[i].exp_avg) && Same(sa[i].exp_avg_sq, sb[i].exp_avg_sq), $"state {i} differs");
        }
        Assert.Equal(5, sa[0].step); // ps[1] (group 0) missed one step
        Assert.False(Same(mine[0], Params(7)[0]), "the parameters did not move");
    }

    private static bool Same(Tensor x, Tensor y)
    {
        using var eq = x.eq(y).all(); // elementwise ==: no tolerance
        return eq.item<bool>();
    }
}

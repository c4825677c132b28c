using ClipSharp.TestHost;
using ClipSharp.Tests.Support;
using ClipSharp.Training.Objectives;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace ClipSharp.Tests.Distributed;

/// <summary>
/// Two MPI ranks against one process: every expected value is derived here (from W, or by recomputing the
/// single-process loss on the concatenated batch the ranks wrote), never read from the ranks' own claims.
/// Tolerance: float32 atol 1e-5 + rtol 1e-4 (the 2-rank and 1-process sums differ only in summation order).
/// </summary>
[Collection("Mpi")]
public class MpiCheckTests(DistCheckRun run, ITestOutputHelper output) : IClassFixture<DistCheckRun>
{
    private const int W = DistCheckRun.World;
    private const double Atol = 1e-5, Rtol = 1e-4;

    [MpiFact]
    public void TwoRankSelfTestSucceeds()
    {
        Assert.True(run.Result is { Code: 0 }, run.Result?.ToString());
        Assert.Contains("ok on 2 rank(s), backend mpi", run.Result!.Out);
        output.WriteLine($"mpirun -np 2 dist-selftest check: {run.Result.Elapsed.TotalSeconds:F1} s");
    }

    [MpiFact]
    public void CollectivesGiveTheDefinedResults()
    {
        var checks = new TensorChecks("collectives");
        var ranks = Enumerable.Range(0, W).ToArray();
        foreach (var r in ranks)
        {
            checks.Close($"rank{r} broadcast from rank {W - 1}", run.Get(r, "c.bcast"), torch.arange(6, dtype: ScalarType.Float32) + 10 * (W - 1), 0);
            checks.Close($"rank{r} sum (non-contiguous)", run.Get(r, "c.sum"),
                (torch.arange(6, dtype: ScalarType.Float32) * W + ranks.Sum()).view(2, 3).t(), 0);
            checks.Close($"rank{r} mean", run.Get(r, "c.mean"), torch.arange(4, dtype: ScalarType.Float64) * ranks.Average(q => q + 1.0), 1e-12);
            checks.Close($"rank{r} max", run.Get(r, "c.max"), torch.tensor(new long[] { W - 1, 0, 7 }), 0);
            checks.Close($"rank{r} float16 sum", run.Get(r, "c.half"), torch.full(3, ranks.Sum(q => q + 0.5), dtype: ScalarType.Float16), 0);
            checks.Close($"rank{r} all-gather", run.Get(r, "c.gather"),
                torch.cat(ranks.Select(q => torch.arange(6, dtype: ScalarType.Int32).view(2, 3) + 100 * q).ToArray()), 0);
        }
        checks.AssertAll(output);
    }

    [MpiFact]
    public void GatherWithGradSumsTheGradientOverRanksAndReturnsTheLocalSlice()
    {
        var checks = new TensorChecks("gather_with_grad");
        var ranks = Enumerable.Range(0, W).ToArray();
        var expectedValue = torch.cat(ranks.Select(q => torch.full(2, 3, (double)q, dtype: ScalarType.Float32)).ToArray());
        foreach (var r in ranks)
        {
            checks.Close($"rank{r} value", run.Get(r, "gwg.value"), expectedValue, 0);
            // rank q's loss is (q+1)·Σ_j (j+1)·sum(gathered block j): d/dx_r = (r+1)·Σ_q (q+1) — summed over ranks, own slice
            checks.Close($"rank{r} grad", run.Get(r, "gwg.grad"), torch.full(2, 3, (r + 1) * ranks.Sum(q => q + 1.0), dtype: ScalarType.Float32), 0);
        }
        checks.AssertAll(output);
    }

    [MpiFact]
    public void DistributedClipLossEqualsClipLossOnTheConcatenatedBatch()
    {
        var image = run.Concat("clip.image").requires_grad_(true);
        var text = run.Concat("clip.text").requires_grad_(true);
        var loss = ClipLoss.Compute(image, text, torch.tensor(1 / 0.07f));
        loss.backward();
        var checks = new TensorChecks("local_loss vs ClipLoss");
        var mean = torch.stack(Enumerable.Range(0, W).Select(r => run.Get(r, "clip.loss")).ToArray()).mean();
        checks.Close("mean over ranks of the local loss", mean, loss, Atol, Rtol);
        long b = run.Get(0, "clip.image").shape[0];
        for (int r = 0; r < W; r++)
        {
            // rank r's feature gradient is ∂(Σ_q L_q)/∂x_r = W · ∂L/∂x_r (averaging over ranks happens on parameters)
            checks.Close($"rank{r} image grad / W", run.Get(r, "clip.grad_image") / W, image.grad!.narrow(0, r * b, b), Atol, Rtol);
            checks.Close($"rank{r} text grad / W", run.Get(r, "clip.grad_text") / W, text.grad!.narrow(0, r * b, b), Atol, Rtol);
        }
        checks.AssertAll(output);
    }

    [MpiFact]
    public void BroadcastParametersGivesEveryRankRank0sWeights()
    {
        var checks = new TensorChecks("broadcast parameters");
        var names = run.Ranks[0].Keys.Where(k => k.StartsWith("init.", StringComparison.Ordinal)).ToList();
        Assert.Contains(names, n => !run.Get(1, n).allclose(run.Get(0, n)));  // else the test would prove nothing
        foreach (var name in names)
        {
            var key = name["init.".Length..];
            for (int r = 0; r < W; r++) checks.Close($"rank{r} {key}", run.Get(r, "param." + key), run.Get(0, name), 0);
        }
        checks.AssertAll(output);
    }

    [MpiFact]
    public void ClipsLossAndAveragedGradientsEqualOneProcessOnTheConcatenatedBatch()
    {
        var model = Reference();
        var f = model.Forward(run.Concat("batch.x_image"), run.Concat("batch.x_web"), run.Concat("batch.x_partial"));
        var parts = new ClipsLoss().Compute(f.Image, f.Web, f.Partial, f.Scale, f.Logits, run.Concat("batch.targets"));
        parts.Total.backward();

        var checks = new TensorChecks("CLIPS 2 ranks vs 1 process");
        foreach (var (key, expected) in new[] { ("clip_web", parts.ClipWeb), ("clip_partial", parts.ClipPartial), ("caption", parts.Caption), ("total", parts.Total) })
            checks.Close("mean over ranks of loss " + key, torch.stack(Enumerable.Range(0, W).Select(r => run.Get(r, "loss." + key)).ToArray()).mean(), expected, Atol, Rtol);
        foreach (var (name, p) in model.named_parameters())
            for (int r = 0; r < W; r++)
                checks.Close($"rank{r} grad {name}", run.Get(r, "grad." + name), p.grad!, Atol, Rtol);
        checks.AssertAll(output);
        Assert.True(run.Get(0, "grad_buckets").item<int>() > 1, "the 64-byte buckets should have split the gradients");
    }

    [MpiFact]
    public void AdamWStepsOnTwoRanksEqualOneProcessWithTheDoubleBatch()
    {
        var model = Reference();
        var opt = torch.optim.AdamW(model.parameters(), lr: 0.01, weight_decay: 0.1);
        int steps = run.Ranks[0].Keys.Count(k => k.EndsWith(".x_image", StringComparison.Ordinal) && k.StartsWith("step", StringComparison.Ordinal));
        Assert.True(steps >= 2, $"expected several steps, found {steps}");
        for (int s = 0; s < steps; s++)
        {
            opt.zero_grad();
            var f = model.Forward(run.Concat($"step{s}.x_image"), run.Concat($"step{s}.x_web"), run.Concat($"step{s}.x_partial"));
            new ClipsLoss().Compute(f.Image, f.Web, f.Partial, f.Scale, f.Logits, run.Concat($"step{s}.targets")).Total.backward();
            opt.step();
        }
        var checks = new TensorChecks($"{steps} AdamW steps: 2 ranks × b vs 1 process × 2b");
        foreach (var (name, p) in model.named_parameters())
            for (int r = 0; r < W; r++)
                checks.Close($"rank{r} {name}", run.Get(r, "final." + name), p, Atol, Rtol);
        checks.AssertAll(output);
    }

    // the model as every rank had it after the broadcast
    private DistSelfTestModel Reference()
    {
        var model = new DistSelfTestModel();
        var state = run.Ranks[0].Where(kv => kv.Key.StartsWith("param.", StringComparison.Ordinal))
            .ToDictionary(kv => kv.Key["param.".Length..], kv => kv.Value);
        Assert.NotEmpty(state);
        model.load_state_dict(state);
        return model;
    }
}

using System.Text.Json;
using System.Text.Json.Nodes;
using ClipSharp.Checkpoints;
using ClipSharp.Data;
using ClipSharp.Tests.Support;
using ClipSharp.Tests.Training;
using ClipSharp.Training.Checkpointing;
using ClipSharp.Training.Metrics;
using Xunit.Abstractions;

namespace ClipSharp.Tests.Distributed;

/// <summary>
/// The real trainer (`clipsharp train`) under `mpirun -np 2` on the tiny CLIPS world (all three distributed losses:
/// both caption sets gathered with gradient, and the global token-mean caption loss).
/// </summary>
[Collection("Mpi")]
public class DistributedTrainerTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(120);

    private static string Shard(int i) => Path.Combine(TrainingWorld.World, "train", $"train-{i:D6}.tar");

    private static string Recipe(string dir, string name, long steps, int batch, string source, int shuffle, int every) =>
        TrainingWorld.RecipeFile(Directory.CreateDirectory(Path.Combine(dir, name)).FullName, steps: steps, batch: batch, edit: r =>
        {
            r["name"] = name;
            r["data"]!["sources"] = new JsonArray(new JsonObject { ["type"] = "wds", ["path"] = source });
            r["data"]!["shuffle_buffer"] = shuffle;
            r["data"]!["workers"] = 1;
            r["checkpoint"]!["every_steps"] = every;
            r["threads"] = 1; // two ranks share two cores
        });

    private static MpiRun.Result Train(int ranks, string recipe, string run, IDictionary<string, string>? env = null, params string[] extra) =>
        MpiRun.Start(ranks, env, ["train", "--recipe", recipe, "--out", run, "--dist", ranks == 0 ? "single" : "mpi", .. extra]).Wait(Limit);

    private static List<JsonElement> TrainRecords(string run) =>
        MetricsLog.Read(Path.Combine(run, MetricsLog.FileName)).Where(e => e.GetProperty("kind").GetString() == "train").ToList();

    private static Dictionary<string, (float MaxDiff, float MaxAbs)> Compare(string a, string b)
    {
        var wa = SafeTensorsFile.Load(Path.Combine(a, "model.safetensors"));
        var wb = SafeTensorsFile.Load(Path.Combine(b, "model.safetensors"));
        Assert.Equal(wa.Keys.Order(), wb.Keys.Order());
        return wa.ToDictionary(kv => kv.Key, kv => ((kv.Value - wb[kv.Key]).abs().max().item<float>(), kv.Value.abs().max().item<float>()));
    }

    /// <summary>
    /// (a) 2 ranks × batch 8 = 1 process × batch 16, step by step and in the final weights.
    /// Data: one shard and no shuffle buffer, so the loader splits the shard by sample (rank r keeps records
    /// r, r+2, ...) and step i of the single process reads records [16i, 16i+16) — exactly the union of both ranks'
    /// step-i batches (6 steps cross an epoch boundary). Per-sample augmentation and caption sampling depend only on
    /// (seed, epoch, key), so every sample is transformed identically in both runs; the contrastive and caption losses
    /// are invariant to the order of the batch rows. What remains is float32 summation order (all-reduce of two
    /// halves vs one sum; gathered vs interleaved rows), amplified by AdamW's normalisation over 6 steps.
    /// Tolerance: losses rtol 1e-4, weights |Δ| ≤ 5e-5 (measured 2e-6 on x64 CPU; an update moves a weight by up to lr = 1e-3).
    /// </summary>
    [MpiFact]
    public void TwoRanksWithBatchBEqualOneProcessWithBatch2B()
    {
        var dir = TestPaths.NewTempDir("dist-equiv");
        const int steps = 6;
        var two = Path.Combine(dir, "two");
        var one = Path.Combine(dir, "one");
        var r2 = Train(2, Recipe(dir, "two", steps, 8, Shard(0), 0, 100), two);
        Assert.True(r2.Code == 0, r2.ToString());
        var r1 = Train(0, Recipe(dir, "one", steps, 16, Shard(0), 0, 100), one);
        Assert.True(r1.Code == 0, r1.ToString());
        output.WriteLine($"2 ranks: {r2.Elapsed.TotalSeconds:F1} s, 1 process: {r1.Elapsed.TotalSeconds:F1} s");

        var l2 = TrainRecords(two);
        var l1 = TrainRecords(one);
        Assert.Equal(steps, l2.Count);
        Assert.Equal(steps, l1.Count);
        for (int i = 0; i < steps; i++)
        {
            foreach (var key in new[] { "loss", "grad_norm", "loss/caption", "loss/contrastive", "samples_seen" })
            {
                double a = l1[i].GetProperty(key).GetDouble(), b = l2[i].GetProperty(key).GetDouble();
                output.WriteLine($"step {i + 1} {key}: 1 process {a:R}, 2 ranks {b:R}");
                Assert.True(Math.Abs(a - b) <= 1e-4 * Math.Abs(a) + 1e-6, $"step {i + 1} {key}: 1 process {a:R} vs 2 ranks {b:R}");
            }
            Assert.True(l2[i].TryGetProperty("grad_sync_s", out _), "a 2-rank run logs its gradient all-reduce time");
        }

        var diff = Compare(one, two);
        var worst = diff.MaxBy(kv => kv.Value.MaxDiff);
        output.WriteLine($"max |Δweight| {worst.Value.MaxDiff:E2} at {worst.Key}");
        foreach (var (k, (d, _)) in diff) Assert.True(d <= 5e-5f, $"{k}: 1 process vs 2 ranks differ by {d:E2} (> 5e-5)");
    }

    /// <summary>
    /// (d) A 2-rank run whose rank 0 dies while writing its step-7 checkpoint, resumed with --resume latest (step 5),
    /// ends with the same weights, bit for bit, as an uninterrupted 2-rank run. Three shards for two ranks: rank 0
    /// reads 128 samples per epoch and rank 1 64, so at step 5 (batch 16) their data positions differ — the checkpoint
    /// must hold each rank's own position.
    /// </summary>
    [MpiFact]
    public void ResumedTwoRankRunEqualsAnUninterruptedOneBitForBit()
    {
        var dir = TestPaths.NewTempDir("dist-resume");
        var recipe = Recipe(dir, "resume", 7, 16, $"{Shard(0)}::{Shard(1)}::{Shard(2)}", 64, 5);
        var full = Path.Combine(dir, "full");
        var r0 = Train(2, recipe, full);
        Assert.True(r0.Code == 0, r0.ToString());

        var cut = Path.Combine(dir, "cut");
        var r1 = Train(2, recipe, cut, new Dictionary<string, string> { [ClipSharp.TestHost.EnvironmentFaults.Variable] = "checkpoint-write:7" });
        Assert.False(r1.TimedOut, r1.ToString());
        Assert.NotEqual(0, r1.Code);
        Assert.False(File.Exists(Path.Combine(cut, "model.safetensors")), "the interrupted run must not have finished");
        var latest = new CheckpointStore(cut, 3).Latest();
        Assert.Equal(5, latest!.Step);
        var state = TrainerState.FromJson(File.ReadAllText(latest.StatePath), latest.StatePath);
        output.WriteLine($"step-5 positions: {string.Join(", ", state.RankData!)}");
        Assert.Equal(new LoaderPosition[] { new(0, 80), new(1, 16) }, state.RankData!);

        var r2 = Train(2, recipe, cut, null, "--resume", "latest");
        Assert.True(r2.Code == 0, r2.ToString());
        Assert.Contains("resumed from", r2.Out);
        output.WriteLine($"uninterrupted {r0.Elapsed.TotalSeconds:F1} s, cut {r1.Elapsed.TotalSeconds:F1} s, resumed {r2.Elapsed.TotalSeconds:F1} s");
        foreach (var (k, (d, _)) in Compare(full, cut)) Assert.True(d == 0f, $"{k}: resumed 2-rank run differs from the uninterrupted one by {d:E2}");
        Assert.Equal(Enumerable.Range(1, 7).Select(i => (long)i), TrainRecords(cut).Select(e => e.GetProperty("step").GetInt64()));
    }

    /// <summary>(c) SIGKILL of rank 1 in the middle of training ends the whole job with an error within 30 s.</summary>
    [MpiFact]
    public void KillingOneTrainingRankEndsTheJobWithAnError()
    {
        var dir = TestPaths.NewTempDir("dist-kill");
        var run = Path.Combine(dir, "run");
        var job = MpiRun.Start(2, null, "train", "--recipe", Recipe(dir, "kill", 100000, 8, Shard(0), 0, 100000), "--out", run, "--dist", "mpi");
        int? victim = null;
        while (job.Elapsed < Limit && !job.Process.HasExited)
        {
            if (File.Exists(Path.Combine(run, MetricsLog.FileName)) && TrainRecords(run).Count >= 2 && job.RankPid(1) is { } pid)
            {
                victim = pid;
                break;
            }
            Thread.Sleep(100);
        }
        if (victim is null) Assert.Fail("rank 1 never got to step 2: " + job.Wait(TimeSpan.FromSeconds(1)));
        var killedAt = job.Elapsed;
        using (var p = System.Diagnostics.Process.GetProcessById(victim.Value)) p.Kill();
        var res = job.Wait(TimeSpan.FromSeconds(60));
        var took = res.Elapsed - killedAt;
        output.WriteLine($"killed rank 1 (pid {victim}) after {TrainRecords(run).Count} logged steps; the job ended {took.TotalSeconds:F1} s later\n{res}");
        Assert.False(res.TimedOut, res.ToString());
        Assert.NotEqual(0, res.Code);
        Assert.True(took < TimeSpan.FromSeconds(30), $"the job took {took.TotalSeconds:F1} s to end after the kill");
    }

    /// <summary>The bench command runs the real trainer on 2 ranks and reports step and all-reduce times as one JSON line.</summary>
    [MpiFact]
    public void DistBenchReportsStepAndGradientSyncTimes()
    {
        var dir = TestPaths.NewTempDir("dist-bench");
        var res = MpiRun.Start(2, null, "dist-bench", "--recipe", Recipe(dir, "bench", 100, 8, Shard(0), 0, 1000), "--steps", "4", "--warmup", "1",
            "--out", Path.Combine(dir, "run"), "--dist", "mpi").Wait(Limit);
        Assert.True(res.Code == 0, res.ToString());
        var line = res.Out.Split('\n').Select(l => l[Math.Max(0, l.IndexOf('{'))..]).Single(l => l.StartsWith("{\"bench\"", StringComparison.Ordinal));
        output.WriteLine(line);
        var j = JsonDocument.Parse(line).RootElement;
        Assert.Equal(2, j.GetProperty("ranks").GetInt32());
        Assert.Equal(16, j.GetProperty("global_batch").GetInt32());
        Assert.Equal(3, j.GetProperty("measured_steps").GetInt32());
        Assert.True(j.GetProperty("step_ms").GetDouble() > j.GetProperty("grad_sync_ms").GetDouble());
        Assert.True(j.GetProperty("grad_sync_ms").GetDouble() > 0);
        Assert.True(j.GetProperty("grad_bytes").GetInt64() > 10_000);
        Assert.True(j.GetProperty("allreduce_only_ms").GetDouble() > 0);
    }

    /// <summary>Without --out the bench runs in a temporary folder and removes it at the end.</summary>
    [Fact]
    public void DistBenchWithoutOutLeavesNoTemporaryFolder()
    {
        var dir = TestPaths.NewTempDir("dist-bench-tmp");
        var tmp = Directory.CreateDirectory(Path.Combine(dir, "tmp")).FullName;
        var res = MpiRun.Start(0, new Dictionary<string, string> { ["TMPDIR"] = tmp }, "dist-bench",
            "--recipe", Recipe(dir, "bench", 100, 8, Shard(0), 0, 1000), "--steps", "2", "--warmup", "1", "--dist", "single").Wait(Limit);
        Assert.True(res.Code == 0, res.ToString());
        Assert.Contains("\"bench\":\"dist\"", res.Out);
        Assert.Empty(Directory.GetDirectories(tmp, "clipsharp-dist-bench-*"));
    }
}

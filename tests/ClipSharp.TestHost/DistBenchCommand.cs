using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using ClipSharp.Checkpoints;
using ClipSharp.Cli;
using ClipSharp.Distributed;
using ClipSharp.Training;
using ClipSharp.Training.Checkpointing;
using ClipSharp.Training.Metrics;
using ClipSharp.Training.Recipes;

namespace ClipSharp.TestHost;

/// <summary>
/// `clipsharp dist-bench --recipe R [--set k=v]... [--steps N] [--warmup W] [--out DIR]` (hidden): runs the real
/// trainer for N steps (launch it under `mpirun -np K` for K ranks) and rank 0 prints one JSON line: median step time
/// and median gradient all-reduce time over the steps after the warm-up, samples per second, per-rank and global
/// batch. grad_sync_ms is the trainer's gradient all-reduce as rank 0 sees it, waiting for the slowest rank included;
/// allreduce_only_ms is an all-reduce of the same size after a barrier (the communication alone).
/// </summary>
public static class DistBenchCommand
{
    public static Command Create()
    {
        var recipe = new Option<string>("--recipe") { Description = "Recipe name or .jsonc path.", Required = true };
        var set = new Option<string[]>("--set") { Description = "Override a recipe field (repeatable)." };
        var steps = new Option<int>("--steps") { Description = "Measured steps plus warm-up.", DefaultValueFactory = _ => 20 };
        var warmup = new Option<int>("--warmup") { Description = "Leading steps left out of the medians.", DefaultValueFactory = _ => 5 };
        var output = new Option<string?>("--out") { Description = "Run folder, kept (default: a temporary folder, removed at the end)." };
        var backend = new Option<string>("--dist") { Description = "auto, single, mpi or nccl.", DefaultValueFactory = _ => "auto" };
        var cmd = new Command("dist-bench", "Step and gradient all-reduce time of the real trainer on 1 or more ranks.") { Hidden = true };
        foreach (var o in new Option[] { recipe, set, steps, warmup, output, backend }) cmd.Options.Add(o);
        cmd.SetAction(r =>
        {
            int n = r.GetValue(steps), w = r.GetValue(warmup);
            if (n <= w) throw new Core.ClipSharpException($"--steps {n} must exceed --warmup {w}.");
            var overrides = (r.GetValue(set) ?? []).Append("log_every_steps=1").ToList();
            var rec = RecipeReader.Read(r.GetValue(recipe)!, overrides);
            using var dist = Collectives.FromEnvironment(r.GetValue(backend)!);
            bool temporary = r.GetValue(output) is null;
            var dir = r.GetValue(output) ?? Path.Combine(Path.GetTempPath(), $"clipsharp-dist-bench-{SharedGuid(dist):N}");
            try
            {
                // StopAtStep: no final eval or model export in the timing; the schedule keeps the recipe's length.
                var result = Trainer.Run(new TrainOptions { Recipe = rec, RunDirectory = dir, Collectives = dist, StopAtStep = n });
                long bytes = GradientBytes(result.RunDirectory); // rank 0 wrote the checkpoint; the others may not see it
                using (var b = TorchSharp.torch.tensor(new[] { bytes })) { dist.AllReduce(b, ReduceOp.Max); bytes = b.item<long>(); }
                double pureMs = PureAllReduceMs(dist, bytes);
                if (dist.IsMain) Console.WriteLine(Summary(result.RunDirectory, rec, dist.WorldSize, w, bytes, pureMs));
                return 0;
            }
            catch (Exception e) when (dist.WorldSize > 1)
            {
                return CliApp.FailRank(dist, e);
            }
            finally
            {
                // The default folder is scratch: every rank is past its last read of it (the all-reduce timing ends in barriers).
                if (temporary && dist.IsMain && Directory.Exists(dir))
                    try { Directory.Delete(dir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            }
        });
        return cmd;
    }

    // One run folder for all ranks (rank 0's GUID): each rank would otherwise pick its own.
    private static Guid SharedGuid(ICollectives dist)
    {
        using var t = TorchSharp.torch.tensor(Guid.NewGuid().ToByteArray());
        dist.Broadcast(t);
        return new Guid(t.data<byte>().ToArray());
    }

    // The all-reduce alone: one flat float32 tensor of the gradients' size (one bucket, as DataParallel packs them),
    // each call preceded by a barrier so that no rank waits for another; median of 20 calls, in ms.
    private static double PureAllReduceMs(ICollectives dist, long bytes)
    {
        if (dist.WorldSize == 1 || bytes == 0) return 0;
        using var t = TorchSharp.torch.ones(bytes / 4);
        var times = new List<double>();
        for (int i = 0; i < 22; i++)
        {
            dist.Barrier();
            var sw = System.Diagnostics.Stopwatch.StartNew();
            dist.AllReduce(t, ReduceOp.Mean);
            if (i >= 2) times.Add(sw.Elapsed.TotalMilliseconds);
        }
        return Median(times);
    }

    private static string Summary(string run, Recipe rec, int world, int warmup, long bytes, double pureMs)
    {
        var steps = MetricsLog.Read(Path.Combine(run, MetricsLog.FileName))
            .Where(e => e.GetProperty("kind").GetString() == "train" && e.GetProperty("step").GetInt64() > warmup).ToList();
        long global = (long)rec.BatchSize * world;
        var stepS = steps.Select(e => global / e.GetProperty("samples_per_s").GetDouble()).ToList();
        var syncS = steps.Select(e => e.TryGetProperty("grad_sync_s", out var v) ? v.GetDouble() : 0.0).ToList();
        double stepMs = Median(stepS) * 1e3, syncMs = Median(syncS) * 1e3;
        return JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["bench"] = "dist", ["recipe"] = rec.Name, ["ranks"] = world, ["batch_per_rank"] = rec.BatchSize, ["global_batch"] = global,
            ["threads_per_rank"] = rec.Threads ?? 0, ["measured_steps"] = steps.Count,
            ["grad_bytes"] = bytes, ["step_ms"] = Math.Round(stepMs, 2), ["allreduce_only_ms"] = Math.Round(pureMs, 3), ["grad_sync_ms"] = Math.Round(syncMs, 2),
            ["grad_sync_share"] = Math.Round(syncMs / Math.Max(stepMs, 1e-9), 4),
            ["samples_per_s"] = Math.Round(global / Math.Max(stepMs / 1e3, 1e-9), 1),
            ["host"] = Environment.MachineName, ["cores"] = Environment.ProcessorCount,
            ["time"] = DateTime.UtcNow.ToString("o", CultureInfo.InvariantCulture),
        });
    }

    // Bytes all-reduced per step: every trainable float32 tensor of the last checkpoint (the model has no frozen part here).
    private static long GradientBytes(string run)
    {
        var latest = new CheckpointStore(run, int.MaxValue).Latest();
        if (latest is null) return 0;
        var weights = SafeTensorsFile.Load(latest.ModelPath);
        long bytes = weights.Values.Sum(t => t.NumberOfElements * t.ElementSize);
        foreach (var t in weights.Values) t.Dispose();
        return bytes;
    }

    private static double Median(List<double> xs)
    {
        if (xs.Count == 0) return double.NaN;
        var s = xs.Order().ToList();
        return s.Count % 2 == 1 ? s[s.Count / 2] : (s[s.Count / 2 - 1] + s[s.Count / 2]) / 2;
    }
}

using ClipSharp.Core;
using ClipSharp.Training;
using ClipSharp.Training.Evals;
using ClipSharp.Training.Recipes;

namespace ClipSharp.Workflows.Experiments;

/// <summary>What every experiment takes: where, how long, which seeds, extra overrides, the quick variant, progress.</summary>
public record ExperimentOptions
{
    /// <summary>Output folder: world/ (reused when present), runs/, results.json, report.html, plots/.</summary>
    public string OutputDir { get; init; } = Path.Combine("runs", "experiment");

    /// <summary>Optimizer steps per run (the same for every run).</summary>
    public long Steps { get; init; } = 400;

    /// <summary>Seeds per configuration: every statistic is a mean ± sample sd over them.</summary>
    public IReadOnlyList<ulong> Seeds { get; init; } = [0, 1, 2];

    /// <summary>Recipe overrides applied to every run, after the experiment's own (so they win).</summary>
    public IReadOnlyList<string> Overrides { get; init; } = [];

    /// <summary>The CI-sized variant: a tiny world when OUT/world has none (see <see cref="ExperimentWorld.QuickWorld"/>).</summary>
    public bool Quick { get; init; }

    /// <summary>Receives each run's progress (per run label); null draws nothing.</summary>
    public Func<string, ITrainingObserver?>? Observer { get; init; }

    /// <summary>Progress lines.</summary>
    public Action<string>? Log { get; init; }
}

/// <summary>One configuration of an experiment: a key (the run folders' prefix), a label, a recipe and its overrides.</summary>
public sealed record ExperimentConfig(string Key, string Label, string Recipe, IReadOnlyList<string> Overrides);

/// <summary>One seed's run of a configuration: the final metrics per eval (fractions; mean_recall in points).</summary>
public sealed record SeedRun(ulong Seed, string RunDirectory, bool Reused, double TrainSeconds,
    IReadOnlyDictionary<string, IReadOnlyDictionary<string, double>> Metrics)
{
    /// <summary>A metric of an eval, or NaN.</summary>
    public double Metric(string eval, string key) => Metrics.TryGetValue(eval, out var m) && m.TryGetValue(key, out var v) ? v : double.NaN;
}

/// <summary>A configuration's runs, one per seed, and their statistics.</summary>
public sealed record ConfigResult(ExperimentConfig Config, IReadOnlyList<SeedRun> Runs)
{
    /// <summary>Every metric of every eval as mean ± sd over the seeds.</summary>
    public Dictionary<string, Dictionary<string, MeanSd>> Summary() => SeedStatistics.Summarize(Runs.Select(r => r.Metrics).ToList());

    /// <summary>One metric's mean ± sd over the seeds.</summary>
    public MeanSd Stat(string eval, string key) => SeedStatistics.Of(Runs.Select(r => r.Metric(eval, key)));
}

/// <summary>
/// The seed loop every experiment shares: each configuration × seed is one run folder OUT/runs/KEY-seedS trained from a
/// quickstart recipe with the world's data and evals (<see cref="ExperimentWorld"/>), the same steps for all. A run
/// whose folder already holds the final results of the same recipe is reused, not retrained; one that was cut off
/// resumes from its last checkpoint; a folder holding another recipe is an error (choose another --out).
/// </summary>
public static class ExperimentRunner
{
    /// <summary>What --quick changes in every recipe (before the user's overrides): a smaller batch and shuffle buffer.</summary>
    public static readonly string[] QuickOverrides = ["batch_size=32", "data.shuffle_buffer=256"];

    /// <summary>Runs (or reuses) every configuration for every seed, seed by seed; returns them in the given order.</summary>
    public static List<ConfigResult> Run(ExperimentOptions o, string worldDir, IReadOnlyList<ExperimentConfig> configs)
    {
        if (o.Steps < 1) throw new ClipSharpException($"Steps must be >= 1, not {o.Steps}.");
        if (o.Seeds.Count == 0 || o.Seeds.Distinct().Count() != o.Seeds.Count) throw new ClipSharpException("Give one or more distinct seeds.");
        if (configs.Select(c => c.Key).Distinct().Count() != configs.Count) throw new ClipSharpException("Two configurations share a key (run folder name).");
        var outDir = Path.GetFullPath(o.OutputDir);
        string[] common =
        [
            .. ExperimentWorld.DataOverrides(worldDir), .. ExperimentWorld.Evals(worldDir),
            $"schedule.total_steps={o.Steps}", $"schedule.warmup_steps={Math.Min(50, o.Steps / 10)}",
            $"checkpoint.every_steps={Math.Max(1, o.Steps / 2)}", "checkpoint.keep_last=1", .. o.Quick ? QuickOverrides : [],
        ];
        var runs = configs.ToDictionary(c => c.Key, _ => new List<SeedRun>());
        int done = 0, total = configs.Count * o.Seeds.Count;
        foreach (var seed in o.Seeds)
            foreach (var c in configs)
            {
                string name = $"{c.Key}-seed{seed}";
                o.Log?.Invoke($"[{++done}/{total}] {c.Label}, seed {seed} ({o.Steps} steps)");
                var recipe = RecipeReader.Read(c.Recipe, [.. c.Overrides, .. common, $"name={name}", $"seed={seed}", .. o.Overrides]);
                runs[c.Key].Add(RunOne(o, recipe, Path.Combine(outDir, "runs", name), seed, $"{c.Label} seed {seed}"));
            }
        return configs.Select(c => new ConfigResult(c, runs[c.Key])).ToList();
    }

    private static SeedRun RunOne(ExperimentOptions o, Recipe recipe, string runDir, ulong seed, string label)
    {
        var state = RunReuse.Check(runDir, recipe);
        if (state == RunReuse.State.Finished && RunReuse.Load(runDir) is { } done)
        {
            o.Log?.Invoke($"  reusing the finished run in {runDir}");
            return new SeedRun(seed, runDir, true, done.Seconds, WithMeanRecall(done.Metrics));
        }
        var result = Trainer.Run(new TrainOptions
        {
            Recipe = recipe, RunDirectory = runDir, Resume = state == RunReuse.State.Empty ? null : "latest",
            Observer = o.Observer?.Invoke(label),
        });
        if (!result.Completed) throw new ClipSharpException($"{runDir}: the run stopped at step {result.Steps} of {recipe.Schedule.TotalSteps}.");
        return new SeedRun(seed, runDir, false, result.Seconds, WithMeanRecall(Metrics(result.FinalEvals)));
    }

    private static Dictionary<string, IReadOnlyDictionary<string, double>> Metrics(IReadOnlyList<EvalOutcome> evals) =>
        evals.ToDictionary(e => e.Name, e => (IReadOnlyDictionary<string, double>)e.Metrics.ToDictionary());

    // Adds mean_recall (points) to every eval that has the six recalls.
    private static Dictionary<string, IReadOnlyDictionary<string, double>> WithMeanRecall(IReadOnlyDictionary<string, IReadOnlyDictionary<string, double>> metrics) =>
        metrics.ToDictionary(kv => kv.Key, kv =>
        {
            var mr = ExperimentWorld.MeanRecall(kv.Value);
            if (!double.IsFinite(mr)) return kv.Value;
            return (IReadOnlyDictionary<string, double>)new Dictionary<string, double>(kv.Value) { [ExperimentWorld.MeanRecallKey] = mr };
        });
}

using System.Text.Json.Nodes;
using ClipSharp.Core;
using ClipSharp.Text;

namespace ClipSharp.Workflows.Experiments;

/// <summary>Settings of the token-reduction ablation (spec §2.3, the paper's "inverse effect").</summary>
public sealed record InverseEffectOptions : ExperimentOptions
{
    /// <summary>
    /// Steps per run by default, for 39 runs (13 configurations × 3 seeds) in under an hour on the 2-core machine: the
    /// 128-token model trains at about 290 samples/s at batch 64 (estimated: about twice the compute of the 32-token
    /// CLIP, which does ~550), so 300 × 64 / 290 ≈ 66 s, plus ~13 s of evals and ~3 s of setup ≈ 82 s a run, ≈ 53 min
    /// in all (≈ 59 min with a second, held-out eval caption set).
    /// </summary>
    public const long DefaultSteps = 300;

    /// <summary>The full experiment's defaults (runs/inverse-effect, <see cref="DefaultSteps"/>, seeds 0, 1, 2).</summary>
    public InverseEffectOptions()
    {
        OutputDir = Path.Combine("runs", "inverse-effect");
        Steps = DefaultSteps;
    }

    /// <summary>Strategies compared at every budget.</summary>
    public IReadOnlyList<string> Strategies { get; init; } = ["truncation", "random", "block", "subcaption"];

    /// <summary>Token budgets K.</summary>
    public IReadOnlyList<int> Budgets { get; init; } = [16, 32, 64];

    /// <summary>The CI-sized variant: tiny world, 6 steps, 2 seeds, sub-caption at K = 16 and 32 (6 runs).</summary>
    public static InverseEffectOptions QuickDefaults() => new()
    {
        OutputDir = Path.Combine("runs", "inverse-effect-quick"), Quick = true, Steps = 6, Seeds = [0, 1],
        Strategies = ["subcaption"], Budgets = [16, 32],
    };
}

/// <summary>One configuration of the ablation (strategy "full" with no budget: the whole synthetic caption) and its runs.</summary>
public sealed record InverseEffectRow(string Strategy, int? Budget, ConfigResult Result)
{
    /// <summary>Mean recall (points) over the seeds on a retrieval eval.</summary>
    public MeanSd MeanRecall(string eval = ExperimentWorld.RetrievalEval) => Result.Stat(eval, ExperimentWorld.MeanRecallKey);

    /// <summary>Mean ± sd over seeds of (this configuration's mean recall − the full caption's, same seed), in points.</summary>
    public MeanSd GainOverFull(string eval = ExperimentWorld.RetrievalEval) => Result.Stat(eval, InverseEffectExperiment.GainKey);
}

/// <summary>The ablation's outcome: the rows (full caption first) and where results.json and report.html are.</summary>
public sealed record InverseEffectResult(string OutputDir, string WorldDir, IReadOnlyList<string> RetrievalEvals,
    IReadOnlyList<InverseEffectRow> Rows, string ResultsPath, string ReportPath);

/// <summary>
/// The paper's token-length ablation on the built-in world: CLIP trained on the synthetic caption only, reduced by
/// each strategy to K tokens, against the full caption, every run with the same model (the quickstart CLIP encoders
/// with a 128-token text context, so the full caption fits), steps, batch and seeds. Scored by zero-shot retrieval on
/// every retrieval eval of the world: mean recall (R@1/5/10 both ways, points) and its gain over the full caption.
/// </summary>
public static class InverseEffectExperiment
{
    /// <summary>The model of every run.</summary>
    public const string Model = "quickstart-clip-long";

    /// <summary>The per-seed metric: mean recall minus the same seed's full-caption mean recall (points).</summary>
    public const string GainKey = "gain_over_full";

    /// <summary>The strategy label of the full-caption configuration.</summary>
    public const string Full = "full";

    /// <summary>Runs the experiment the options describe (reusing finished runs) and returns its table.</summary>
    public static InverseEffectResult Run(InverseEffectOptions o)
    {
        Validate(o);
        var outDir = Path.GetFullPath(o.OutputDir);
        var world = Path.Combine(outDir, "world");
        ExperimentWorld.Prepare(world, o.Quick, o.Log);
        var configs = Configs(o);
        var results = WithGains(ExperimentRunner.Run(o, world, configs), ExperimentWorld.RetrievalEvals(world));
        var rows = results.Select((r, i) => i == 0 ? new InverseEffectRow(Full, null, r)
            : new InverseEffectRow(o.Strategies[(i - 1) % o.Strategies.Count], o.Budgets[(i - 1) / o.Strategies.Count], r)).ToList();
        var json = ExperimentResults.Header("inverse-effect", o, world);
        json["model"] = Model;
        json["strategies"] = new JsonArray(o.Strategies.Select(s => (JsonNode?)s).ToArray());
        json["budgets"] = new JsonArray(o.Budgets.Select(k => (JsonNode?)k).ToArray());
        json["configs"] = new JsonArray(rows.Select(r =>
        {
            var c = ExperimentResults.Config(r.Result);
            c["strategy"] = r.Strategy;
            c["budget"] = r.Budget;
            return (JsonNode?)c;
        }).ToArray());
        var resultsPath = ExperimentResults.Write(Path.Combine(outDir, "results.json"), json);
        var partial = new InverseEffectResult(outDir, world, ExperimentWorld.RetrievalEvals(world), rows, resultsPath, "");
        return partial with { ReportPath = InverseEffectReport.Write(partial, o) };
    }

    private static void Validate(InverseEffectOptions o)
    {
        if (o.Strategies.Count == 0 || o.Budgets.Count == 0) throw new ClipSharpException("Give at least one strategy and one budget.");
        if (o.Strategies.Distinct().Count() != o.Strategies.Count || o.Budgets.Distinct().Count() != o.Budgets.Count)
            throw new ClipSharpException("A strategy or budget is given twice.");
        foreach (var s in o.Strategies)
            if (TokenReductionOptions.ParseStrategy(s) == TokenReductionStrategy.None)
                throw new ClipSharpException("Strategy \"none\" is the full caption, which every experiment runs anyway; give reduction strategies.");
        foreach (var k in o.Budgets)
            if (k < 2) throw new ClipSharpException($"Token budgets must be >= 2, not {k}.");
    }

    // The full caption first, then budget by budget, strategy by strategy (the rows' order).
    private static List<ExperimentConfig> Configs(InverseEffectOptions o)
    {
        string[] model = ["quickstart-baseline", $"model={Model}"];
        var configs = new List<ExperimentConfig>
        {
            new(Full, "full caption", model[0], [model[1], "task.caption=synthetic", "task.reduction.strategy=none", "task.reduction.budget=null"]),
        };
        foreach (var k in o.Budgets)
            foreach (var s in o.Strategies)
                configs.Add(new($"{s}-{k}", $"{s} K={k}", model[0], [model[1], "task.caption=partial", $"task.reduction.strategy={s}", $"task.reduction.budget={k}"]));
        return configs;
    }

    // Adds gain_over_full to every seed's retrieval evals: its mean recall minus the full caption's for the same seed.
    private static List<ConfigResult> WithGains(List<ConfigResult> results, IReadOnlyList<string> evals)
    {
        var full = results[0].Runs.ToDictionary(r => r.Seed);
        return results.Select(c => c with
        {
            Runs = c.Runs.Select(run => run with
            {
                Metrics = run.Metrics.ToDictionary(kv => kv.Key, kv => !evals.Contains(kv.Key) ? kv.Value
                    : (IReadOnlyDictionary<string, double>)new Dictionary<string, double>(kv.Value)
                    {
                        [GainKey] = run.Metric(kv.Key, ExperimentWorld.MeanRecallKey) - full[run.Seed].Metric(kv.Key, ExperimentWorld.MeanRecallKey),
                    }),
            }).ToList(),
        }).ToList();
    }
}

using System.CommandLine;
using ClipSharp.Cli.Training;
using ClipSharp.Workflows.Experiments;
using Spectre.Console;

namespace ClipSharp.Cli.Commands;

/// <summary>`clipsharp experiment inverse-effect|table-a`: the paper's ablations on the built-in world, over seeds; `probe`: what a
/// model's image tower encodes (<see cref="ExperimentProbeCommand"/>).</summary>
public static class ExperimentCommand
{
    public static Command Create()
    {
        var cmd = new Command("experiment", "Reproduce the paper's ablations on the built-in world: several seeds, mean ± sd, OUT/results.json + " +
                                            "OUT/report.html; finished runs in OUT/runs are reused, so an interrupted experiment continues.");
        cmd.Subcommands.Add(InverseEffect());
        cmd.Subcommands.Add(TableA());
        cmd.Subcommands.Add(ExperimentProbeCommand.Create());
        return cmd;
    }

    /// <summary>The options every experiment takes; <see cref="Apply"/> turns them into settings over the defaults.</summary>
    private sealed record Common(Option<string?> Out, Option<long?> Steps, Option<int?> Seeds, Option<bool> Quick, Option<string[]> Set, Option<int> Threads)
    {
        public static Common Create(ExperimentOptions full, ExperimentOptions quick) => new(
            new Option<string?>("--out") { Description = $"Output folder (default {full.OutputDir}; with --quick {quick.OutputDir}); OUT/world is reused when present." },
            new Option<long?>("--steps") { Description = $"Steps per run, the same for every run (default {full.Steps}; with --quick {quick.Steps})." },
            new Option<int?>("--seeds") { Description = $"Seeds per configuration, 0..N-1 (default {full.Seeds.Count}; with --quick {quick.Seeds.Count})." },
            new Option<bool>("--quick") { Description = "CI-sized variant: a tiny world (when OUT has none), a few steps, fewer seeds and configurations." },
            new Option<string[]>("--set") { Description = "Override a recipe field of every run, e.g. --set batch_size=32 (repeatable)." },
            CommonOptions.Threads());

        public IEnumerable<Option> All => [Out, Steps, Seeds, Quick, Set, Threads];

        public T Apply<T>(ParseResult r, T full, T quick) where T : ExperimentOptions
        {
            CommonOptions.Apply("cpu", r.GetValue(Threads));
            var o = r.GetValue(Quick) ? quick : full;
            return o with
            {
                OutputDir = r.GetValue(Out) ?? o.OutputDir, Steps = r.GetValue(Steps) ?? o.Steps,
                Seeds = r.GetValue(Seeds) is { } n ? Enumerable.Range(0, Math.Max(1, n)).Select(i => (ulong)i).ToList() : o.Seeds,
                Overrides = r.GetValue(Set) ?? [], Observer = label => new ConsoleTrainingObserver(label, quiet: true),
                Log = line => AnsiConsole.MarkupLine($"[grey]{Markup.Escape(line)}[/]"),
            };
        }
    }

    private static Command InverseEffect()
    {
        var (full, quick) = (new InverseEffectOptions(), InverseEffectOptions.QuickDefaults());
        var common = Common.Create(full, quick);
        var budgets = new Option<int[]>("--budgets") { Description = $"Token budgets K (default {string.Join(" ", full.Budgets)}; with --quick {string.Join(" ", quick.Budgets)}).", AllowMultipleArgumentsPerToken = true };
        var strategies = new Option<string[]>("--strategies")
        {
            Description = $"Reduction strategies: truncation random block subcaption (shuffle also available; default all four; with --quick {string.Join(" ", quick.Strategies)}).",
            AllowMultipleArgumentsPerToken = true,
        };
        var cmd = new Command("inverse-effect", "Token reduction (truncation, random, block, sub-caption) at K = 16/32/64 vs the full synthetic caption: " +
                                                "CLIP on the synthetic captions, 3 seeds, mean recall and its gain over the full caption ± sd (spec §2.3).");
        foreach (var o in common.All.Append(budgets).Append(strategies)) cmd.Options.Add(o);
        cmd.SetAction(r =>
        {
            var o = common.Apply(r, full, quick);
            o = o with
            {
                Budgets = r.GetValue(budgets) is { Length: > 0 } b ? b : o.Budgets,
                Strategies = r.GetValue(strategies) is { Length: > 0 } s ? s : o.Strategies,
            };
            var result = InverseEffectExperiment.Run(o);
            var ks = o.Budgets.Distinct().OrderByDescending(k => k).ToList();
            var rows = result.Rows.Where(x => x.Budget is not null).Select(x => x.Strategy).Distinct().Select(s => (IReadOnlyList<string>)
                [s, .. ks.Select(k => result.Rows.FirstOrDefault(x => x.Strategy == s && x.Budget == k)?.GainOverFull().Format(signed: true) ?? "-")]).ToList();
            ConsoleTable.Print($"Gain in mean recall over the full caption (points, mean ± sd over {o.Seeds.Count} seeds, {ExperimentWorld.RetrievalEval})",
                ["strategy", .. ks.Select(k => $"K={k}")], rows);
            AnsiConsole.MarkupLine($"full caption mean recall: {Markup.Escape(result.Rows[0].MeanRecall().Format())} points");
            PrintWhere(result.ResultsPath, result.ReportPath);
            return 0;
        });
        return cmd;
    }

    private static Command TableA()
    {
        var (full, quick) = (new TableAOptions(), TableAOptions.QuickDefaults());
        var common = Common.Create(full, quick);
        var cmd = new Command("table-a", "CLIPS vs CLIP on web captions, CLIP on the full synthetic caption, CLIPA-style CLIP and CoCa on the " +
                                         "80/20 web/synthetic mixture: same encoders, steps, batch; 3 seeds; R@1/5/10 both ways and bags, mean ± sd (spec §6.3).");
        foreach (var o in common.All) cmd.Options.Add(o);
        cmd.SetAction(r =>
        {
            var o = common.Apply(r, full, quick);
            var result = TableAExperiment.Run(o);
            var columns = ExperimentReport.Present(result.Methods, [.. ExperimentReport.RetrievalColumns(ExperimentWorld.RetrievalEval), .. ExperimentReport.BagColumns]);
            ConsoleTable.Print($"Table A on the built-in world (%, mean ± sd over {o.Seeds.Count} seeds; mean recall in points)",
                ["method", .. columns.Select(c => c.Header)], ExperimentReport.SummaryRows(result.Methods, columns));
            PrintWhere(result.ResultsPath, result.ReportPath);
            return 0;
        });
        return cmd;
    }

    private static void PrintWhere(string results, string report) =>
        AnsiConsole.MarkupLine($"results: [bold]{Markup.Escape(results)}[/]  report: [bold]{Markup.Escape(report)}[/]");
}

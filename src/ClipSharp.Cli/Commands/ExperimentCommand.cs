using System.CommandLine;
using System.Globalization;
using ClipSharp.Workflows.Experiments;
using Spectre.Console;

namespace ClipSharp.Cli.Commands;

/// <summary>`clipsharp experiment inverse-effect`: the paper's token-reduction ablation on the built-in world.</summary>
public static class ExperimentCommand
{
    public static Command Create()
    {
        var cmd = new Command("experiment", "Reproduce the paper's ablations on the built-in world.");
        cmd.Subcommands.Add(InverseEffect());
        return cmd;
    }

    private static Command InverseEffect()
    {
        var defaults = new InverseEffectOptions();
        var output = new Option<string>("--out") { Description = "Output folder.", DefaultValueFactory = _ => defaults.OutputDir };
        var steps = new Option<long>("--steps") { Description = "Steps per run (same for every run).", DefaultValueFactory = _ => defaults.Steps };
        var seeds = new Option<int>("--seeds") { Description = "Seeds per configuration (0..N-1), averaged.", DefaultValueFactory = _ => defaults.Seeds.Count };
        var budgets = new Option<int[]>("--budgets") { Description = "Token budgets K.", DefaultValueFactory = _ => [.. defaults.Budgets], AllowMultipleArgumentsPerToken = true };
        var strategies = new Option<string[]>("--strategies") { Description = "truncation random block subcaption (shuffle also available).", DefaultValueFactory = _ => [.. defaults.Strategies], AllowMultipleArgumentsPerToken = true };
        var set = new Option<string[]>("--set") { Description = "Override a recipe field of every run." };
        var cmd = new Command("inverse-effect", "Truncation / random / block / sub-caption at K tokens vs the full synthetic caption, same budget, several seeds (spec §2.3).");
        foreach (var o in new Option[] { output, steps, seeds, budgets, strategies, set }) cmd.Options.Add(o);
        cmd.SetAction(r =>
        {
            var rows = InverseEffectExperiment.Run(new InverseEffectOptions
            {
                OutputDir = r.GetValue(output)!, Steps = r.GetValue(steps), Seeds = Enumerable.Range(0, Math.Max(1, r.GetValue(seeds))).Select(i => (ulong)i).ToList(),
                Budgets = r.GetValue(budgets)!, Strategies = r.GetValue(strategies)!, Overrides = r.GetValue(set) ?? [],
                Log = line => AnsiConsole.MarkupLine($"[grey]{Markup.Escape(line)}[/]"),
            });
            var budgetsUsed = rows.Where(x => x.Budget is not null).Select(x => x.Budget!.Value).Distinct().OrderByDescending(k => k).ToList();
            var t = new Table().Title("Gain in mean recall (points, R@1/5/10 both ways) over the full synthetic caption").AddColumn("strategy");
            t.AddColumn(new TableColumn("full").RightAligned());
            foreach (var k in budgetsUsed) t.AddColumn(new TableColumn($"K={k}").RightAligned());
            static string F(double v) => v.ToString("+0.00;-0.00;0.00", CultureInfo.InvariantCulture);
            foreach (var s in rows.Where(x => x.Budget is not null).Select(x => x.Strategy).Distinct())
                t.AddRow([s, "0", .. budgetsUsed.Select(k => rows.FirstOrDefault(x => x.Strategy == s && x.Budget == k) is { } row ? F(row.GainOverFull) : "-")]);
            AnsiConsole.Write(t);
            AnsiConsole.MarkupLine($"full caption mean recall: {rows[0].MeanRecall.ToString("0.00", CultureInfo.InvariantCulture)} points; results.json in {Markup.Escape(Path.GetFullPath(r.GetValue(output)!))}");
            return 0;
        });
        return cmd;
    }
}

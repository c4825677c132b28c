using System.CommandLine;
using System.Globalization;
using ClipSharp.Cli.Training;
using ClipSharp.Workflows.Quickstart;
using Spectre.Console;

namespace ClipSharp.Cli.Commands;

/// <summary>`clipsharp quickstart [--out DIR] [--no-baseline] [--set k=v]`: the README's first command.</summary>
public static class QuickstartCommand
{
    public static Command Create()
    {
        var output = new Option<string>("--out") { Description = "Output folder (world, runs, results.json, report.html).", DefaultValueFactory = _ => Path.Combine("runs", "quickstart") };
        var noBaseline = new Option<bool>("--no-baseline") { Description = "Train only the CLIPS model, not the web-caption CLIP baseline." };
        var longer = new Option<bool>("--long") { Description = "The long budget: 15,000 steps of batch 128 per model instead of 1600 of 64, on a world of 1,280,000 images (each seen 1.5 times; 7 GB in OUT/world-long), with the ResNet image tower unless --tower says otherwise (QuickstartRunner.LongOverrides; CLIPS about 2 hours on 2 cores, 7392 s measured; the baseline about 65 minutes, estimated; docs/world-and-ablations.md)." };
        var tower = new Option<QuickstartTower?>("--tower") { Description = "Image tower of both models: vit (the recipes' CLIPS-style ViT; the default) or resnet (OpenCLIP's ModifiedResNet, which encodes the world's attributes better at the same budget; the default under --long; docs/world-and-ablations.md)." };
        var set = new Option<string[]>("--set") { Description = "Override a field of both recipes, e.g. --set schedule.total_steps=100." };
        var threads = CommonOptions.Threads();
        var cmd = new Command("quickstart", "Generate the built-in world, train a tiny CLIPS model and the web-caption CLIP baseline on CPU, evaluate both, print the table.");
        foreach (var o in new Option[] { output, noBaseline, longer, tower, set, threads }) cmd.Options.Add(o);
        cmd.SetAction(r =>
        {
            CommonOptions.Apply("cpu", r.GetValue(threads));
            var result = QuickstartRunner.Run(new QuickstartOptions
            {
                OutputDir = r.GetValue(output)!, Baseline = !r.GetValue(noBaseline), Long = r.GetValue(longer), Tower = r.GetValue(tower), Overrides = r.GetValue(set) ?? [],
                Observer = label => new ConsoleTrainingObserver(label),
                Log = line => AnsiConsole.MarkupLine($"[grey]{Markup.Escape(line)}[/]"),
            });
            var report = QuickstartReport.Write(result);
            PrintTable(result);
            AnsiConsole.MarkupLine($"results: [bold]{Markup.Escape(Path.Combine(result.OutputDir, "results.json"))}[/]  report: [bold]{Markup.Escape(report)}[/]");
            AnsiConsole.MarkupLine($"total wall time {result.TotalSeconds.ToString("0", CultureInfo.InvariantCulture)} s " +
                                   $"(world {result.WorldSeconds.ToString("0", CultureInfo.InvariantCulture)} s)");
            return 0;
        });
        return cmd;
    }

    /// <summary>The quickstart tables: one row per model plus chance and the oracle, metrics in percent (Markdown when redirected).</summary>
    public static void PrintTable(QuickstartResult r)
    {
        foreach (var t in QuickstartReport.ReportTables(r)) ConsoleTable.Print("Quickstart (%): " + t.Title, t.Headers, t.Rows);
    }
}

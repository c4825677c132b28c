using System.Globalization;
using ClipSharp.Training;
using Spectre.Console;

namespace ClipSharp.Cli.Training;

/// <summary>The end-of-run summary: steps, time, skipped samples and the final eval metrics.</summary>
public static class RunSummary
{
    public static void Print(TrainResult r)
    {
        AnsiConsole.MarkupLine($"[bold]{(r.Completed ? "finished" : "stopped")}[/] after {r.Steps} steps, {r.SamplesSeen} samples, " +
                               $"{r.Seconds.ToString("0.0", CultureInfo.InvariantCulture)} s; run folder [grey]{Markup.Escape(r.RunDirectory)}[/]");
        if (r.NonFiniteSkipped > 0) AnsiConsole.MarkupLine($"[yellow]{r.NonFiniteSkipped} step(s) skipped for a non-finite loss[/]");
        AnsiConsole.MarkupLine(Markup.Escape(r.BadSamples.Summary()));
        foreach (var e in r.FinalEvals)
        {
            var t = new Table().Title(e.Name).AddColumn("metric").AddColumn("value");
            foreach (var (k, v) in e.Metrics.Where(kv => !kv.Key.Contains('/')))
                t.AddRow(Markup.Escape(k), v.ToString("0.0000", CultureInfo.InvariantCulture));
            AnsiConsole.Write(t);
        }
    }
}

using System.Globalization;
using ClipSharp.Training;
using ClipSharp.Training.Evals;
using Spectre.Console;

namespace ClipSharp.Cli.Training;

/// <summary>
/// Draws a run on the console with Spectre.Console: one line per logged step (step, loss and its parts, lr,
/// samples/s, ETA), eval tables, and notices. Lines rather than a live widget so logs of non-interactive runs (CI,
/// mpirun, nohup) stay readable.
/// </summary>
public sealed class ConsoleTrainingObserver(string label, bool quiet = false) : ITrainingObserver
{
    private static string F(double v, string fmt = "0.0000") => v.ToString(fmt, CultureInfo.InvariantCulture);

    public void OnStart(long step, long total, string runDirectory) =>
        AnsiConsole.MarkupLine($"[bold]{Markup.Escape(label)}[/]: {(step > 0 ? $"resuming at step {step}" : "starting")} of {total} -> [grey]{Markup.Escape(runDirectory)}[/]");

    public void OnStep(StepReport r)
    {
        if (quiet && r.Step != r.TotalSteps) return;
        var parts = string.Join(" ", r.Parts.Select(p => $"{p.Key} {F(p.Value, "0.000")}"));
        var eta = r.Eta.TotalHours >= 1 ? r.Eta.ToString(@"h\:mm\:ss", CultureInfo.InvariantCulture) : r.Eta.ToString(@"m\:ss", CultureInfo.InvariantCulture);
        AnsiConsole.MarkupLine(
            $"[grey]{Markup.Escape(label)}[/] step [bold]{r.Step}[/]/{r.TotalSteps} ({100.0 * r.Step / r.TotalSteps:0}%) " +
            $"loss [bold]{F(r.Loss, "0.000")}[/] [grey]{Markup.Escape(parts)}[/] lr {r.Lr.ToString("0.0e0", CultureInfo.InvariantCulture)} " +
            $"{F(r.SamplesPerSecond, "0")} samples/s ETA {eta}{(r.Skipped ? " [red]skipped (non-finite)[/]" : "")}");
    }

    public void OnEval(long step, EvalOutcome outcome)
    {
        var keys = outcome.Metrics.Keys.Where(k => !k.Contains('/') && !k.EndsWith("query_count", StringComparison.Ordinal)).ToList();
        AnsiConsole.MarkupLine($"[grey]{Markup.Escape(label)}[/] eval [bold]{Markup.Escape(outcome.Name)}[/] at step {step}: " +
            Markup.Escape(string.Join(", ", keys.Select(k => $"{k} {F(outcome.Metrics[k], "0.000")}"))));
    }

    public void OnMessage(string line) => AnsiConsole.MarkupLine($"[grey]{Markup.Escape(label)}: {Markup.Escape(line)}[/]");
}

using System.CommandLine;
using System.Globalization;
using ClipSharp.Workflows.Probes;
using Spectre.Console;

namespace ClipSharp.Cli.Commands;

/// <summary>
/// `clipsharp experiment probe MODEL --world W`: linear probes on the model's frozen image embeddings of the world's
/// training images, per attribute, beside the majority class and chance; `--supervised` adds the from-scratch control.
/// </summary>
public static class ExperimentProbeCommand
{
    public static Command Create()
    {
        var d = new ProbeOptions { Model = "", World = "" };
        var model = new Argument<string>("model") { Description = "A run folder or a local OpenCLIP / CLIPS model folder (open_clip_config.json + weights)." };
        var world = new Option<string>("--world") { Description = "The built-in world (from `clipsharp scenes generate`) whose training images are probed.", Required = true };
        var samples = new Option<int>("--samples") { Description = $"The first N usable training samples (default {d.Samples}).", DefaultValueFactory = _ => d.Samples };
        var holdout = new Option<double>("--holdout") { Description = $"Share of the samples held out for accuracy (default {d.Holdout}).", DefaultValueFactory = _ => d.Holdout };
        var output = new Option<string>("--out") { Description = $"Output folder for probe.json (default {d.OutputDir}).", DefaultValueFactory = _ => d.OutputDir };
        var seed = new Option<long>("--seed") { Description = "Seeds the train/held-out split and the supervised control.", DefaultValueFactory = _ => 0 };
        var supervised = new Option<string[]>("--supervised")
        {
            Description = $"Also train the control: the model's image tower config, fresh init, trained on these attributes " +
                          $"({string.Join(",", ProbeAttribute.All.Select(a => a.Name))}; comma-separated or repeated).",
            AllowMultipleArgumentsPerToken = true,
        };
        var steps = new Option<int>("--steps") { Description = $"Steps of each supervised control (default {d.SupervisedSteps}).", DefaultValueFactory = _ => d.SupervisedSteps };
        var batch = new Option<int>("--batch") { Description = $"Batch of the supervised control (default {d.SupervisedBatch}).", DefaultValueFactory = _ => d.SupervisedBatch };
        var lr = new Option<double>("--lr") { Description = $"AdamW learning rate of the supervised control (default {d.SupervisedLearningRate}).", DefaultValueFactory = _ => d.SupervisedLearningRate };
        var device = CommonOptions.Device();
        var threads = CommonOptions.Threads();
        var cmd = new Command("probe", "What the image tower encodes: a linear probe (logistic regression) on the frozen image embeddings of a " +
                                       "world's training images per attribute (salient colour, shape, size, pattern, cell; object count; background), " +
                                       "held-out accuracy beside the majority class and chance; --supervised adds a from-scratch control. Writes OUT/probe.json.");
        cmd.Arguments.Add(model);
        foreach (var o in new Option[] { world, samples, holdout, output, seed, supervised, steps, batch, lr, device, threads }) cmd.Options.Add(o);
        cmd.SetAction(r =>
        {
            var dev = CommonOptions.Apply(r.GetValue(device)!, r.GetValue(threads));
            var o = d with
            {
                Model = r.GetValue(model)!, World = r.GetValue(world)!, Samples = r.GetValue(samples), Holdout = r.GetValue(holdout),
                OutputDir = r.GetValue(output)!, Seed = r.GetValue(seed), Device = dev,
                Supervised = (r.GetValue(supervised) ?? []).SelectMany(s => s.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToList(),
                SupervisedSteps = r.GetValue(steps), SupervisedBatch = r.GetValue(batch), SupervisedLearningRate = r.GetValue(lr),
                Log = line => AnsiConsole.MarkupLine($"[grey]{Markup.Escape(line)}[/]"),
            };
            Print(ProbeExperiment.Run(o));
            return 0;
        });
        return cmd;
    }

    private static void Print(ProbeResult result)
    {
        bool control = result.Rows.Any(x => x.Supervised is not null);
        var steps = result.Rows.FirstOrDefault(x => x.Supervised is not null)?.Supervised?.Steps;
        var rows = result.Rows.Select(x => (IReadOnlyList<string>)
        [
            x.Attribute.Name, x.Attribute.Classes.ToString(CultureInfo.InvariantCulture), Percent(x.Fit.HeldOutAccuracy),
            Percent(x.Fit.MajorityAccuracy), Percent(x.Chance), .. control ? [x.Supervised is { } s ? Percent(s.HeldOutAccuracy) : "-"] : Array.Empty<string>(),
        ]).ToList();
        ConsoleTable.Print($"Linear probes on frozen image embeddings ({result.Train} samples to fit, {result.HeldOut} held out; held-out accuracy, %)",
            ["attribute", "classes", "probe", "majority", "chance", .. control ? [$"supervised ({steps} steps)"] : Array.Empty<string>()], rows);
        AnsiConsole.MarkupLine($"{Markup.Escape(result.Bad.Summary())}; results: [bold]{Markup.Escape(result.ResultsPath)}[/]");
    }

    private static string Percent(double v) => (100 * v).ToString("F1", CultureInfo.InvariantCulture);
}

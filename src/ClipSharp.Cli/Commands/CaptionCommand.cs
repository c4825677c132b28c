using System.CommandLine;
using ClipSharp.Modeling.Generation;

namespace ClipSharp.Cli.Commands;

/// <summary>`clipsharp caption IMAGE... --model DIR`: captions from a CLIPS model.</summary>
public static class CaptionCommand
{
    public static Command Create()
    {
        var images = new Argument<string[]>("images") { Description = "Image files to caption.", Arity = ArgumentArity.OneOrMore };
        var temperature = new Option<double>("--temperature") { Description = "Sampling temperature (0 = greedy).", DefaultValueFactory = _ => 0 };
        var topK = new Option<int>("--top-k") { Description = "Sample among the k most likely tokens (0 = all).", DefaultValueFactory = _ => 0 };
        var topP = new Option<double>("--top-p") { Description = "Nucleus sampling mass.", DefaultValueFactory = _ => 1.0 };
        var seed = new Option<long>("--seed") { Description = "Sampling seed.", DefaultValueFactory = _ => 0 };
        var m = new ModelOptions();
        var cmd = new Command("caption", "Caption images with a CLIPS model (one decoder pass per batch).");
        cmd.Arguments.Add(images);
        foreach (var o in new Option[] { temperature, topK, topP, seed }) cmd.Options.Add(o);
        m.AddTo(cmd);
        cmd.SetAction(r =>
        {
            double t = r.GetValue(temperature);
            var gen = t <= 0 && r.GetValue(topK) == 0 && r.GetValue(topP) >= 1 ? GenerationOptions.Greedy
                : new GenerationOptions { Strategy = DecodingStrategy.Sample, Temperature = t <= 0 ? 1 : t, TopK = r.GetValue(topK), TopP = r.GetValue(topP), Seed = r.GetValue(seed) }.Validated();
            using var pipe = m.Load(r);
            var files = r.GetValue(images)!;
            // An unreadable image is skipped and reported; the others are captioned (as `embed` does).
            var results = pipe.CaptionFiles(files, gen);
            foreach (var c in results.Where(c => c.Caption is not null))
                Console.WriteLine(files.Length == 1 ? c.Caption : $"{c.Path}\t{c.Caption}");
            var skipped = results.Where(c => c.Caption is null).ToList();
            foreach (var c in skipped) Console.Error.WriteLine($"skipped: {c.Error}");
            if (skipped.Count == 0) return 0;
            if (skipped.Count == files.Length) throw new ClipSharp.Core.ClipSharpException($"No image could be read ({skipped.Count} unreadable).");
            Console.Error.WriteLine($"{results.Count - skipped.Count} captioned, {skipped.Count} unreadable skipped");
            return 0;
        });
        return cmd;
    }
}

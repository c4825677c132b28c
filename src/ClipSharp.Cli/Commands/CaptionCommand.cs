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
            var caps = pipe.Captions(files, gen);
            for (int i = 0; i < files.Length; i++) Console.WriteLine(files.Length == 1 ? caps[i] : $"{files[i]}\t{caps[i]}");
            return 0;
        });
        return cmd;
    }
}

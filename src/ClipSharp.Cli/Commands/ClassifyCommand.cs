using System.CommandLine;
using ClipSharp.Core;
using ClipSharp.Evaluation;

namespace ClipSharp.Cli.Commands;

/// <summary>`clipsharp classify IMAGE --labels a,b,c --model DIR`: zero-shot probabilities per label, best first.</summary>
public static class ClassifyCommand
{
    public static Command Create()
    {
        var image = new Argument<string>("image") { Description = "Image file to classify." };
        var labels = new Option<string>("--labels") { Description = "Comma-separated labels, or @FILE with one label per line.", Required = true };
        var templates = new Option<string?>("--templates") { Description = "Prompt templates: a file (one per line, {} = label) or openai, openai-selected, simple (default: \"a photo of a {}.\")." };
        var m = new ModelOptions();
        var cmd = new Command("classify", "Zero-shot classify an image among labels.");
        cmd.Arguments.Add(image);
        cmd.Options.Add(labels);
        cmd.Options.Add(templates);
        m.AddTo(cmd);
        cmd.SetAction(r =>
        {
            var spec = r.GetValue(labels)!;
            var list = spec.StartsWith('@') ? ClassNameList.Load(spec[1..]) : spec.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).ToList();
            if (list.Count < 2) throw new ClipSharpException("--labels needs at least two labels.");
            var tpl = r.GetValue(templates) is { } t ? ClassNameList.LoadTemplates(t) : null;
            using var pipe = m.Load(r);
            foreach (var s in pipe.ZeroShot(r.GetValue(image)!, list, tpl).OrderByDescending(s => s.Probability))
                Console.WriteLine($"{s.Probability,8:P2}  {s.Similarity,7:F4}  {s.Label}");
            return 0;
        });
        return cmd;
    }
}

using System.CommandLine;
using System.Text.Json.Nodes;
using ClipSharp.Core;
using ClipSharp.Evaluation;
using ClipSharp.Inference;

namespace ClipSharp.Cli.Commands;

/// <summary>`clipsharp eval retrieval|zeroshot|bags --model DIR ...`: benchmark results as CLIP_benchmark JSON plus a table.</summary>
public static class EvalCommand
{
    public static Command Create()
    {
        var cmd = new Command("eval", "Zero-shot evaluation: image-text retrieval, classification, fine-grained bags.");
        cmd.Subcommands.Add(Retrieval());
        cmd.Subcommands.Add(ZeroShot());
        cmd.Subcommands.Add(Bags());
        return cmd;
    }

    private static Option<string?> Output() => new("--output", "-o") { Description = "Write the result JSON (CLIP_benchmark layout) here." };

    private static Command Retrieval()
    {
        var json = new Option<string?>("--karpathy") { Description = "Karpathy split JSON (dataset_coco.json, dataset_flickr30k.json, or a world's eval/dataset_eval.json)." };
        var root = new Option<string?>("--images") { Description = "Image root of the Karpathy file (default: its folder)." };
        var world = new Option<string?>("--world") { Description = "A built-in world folder: its eval set (eval/dataset_eval.json)." };
        var split = new Option<string>("--split") { Description = "Split to evaluate.", DefaultValueFactory = _ => "test" };
        var wds = new Option<string?>("--wds") { Description = "Webdataset shards (a .tar, a brace pattern such as dir/test-{0000..0003}.tar, or a folder): one image and its captions per sample." };
        var field = new Option<string>("--caption-field") { Description = "With --wds: the member holding the captions, one per line (txt), else this field of the .json member (a string or a list).", DefaultValueFactory = _ => "txt" };
        var byStatement = new Option<bool>("--by-statement") { Description = "Also break text→image recall down by what each caption states (background, size, pattern, position, …; needs the world's \"mention\" records), beside the oracle's ceilings." };
        var output = Output();
        var m = new ModelOptions();
        var cmd = new Command("retrieval", "Image-text retrieval recall@1/5/10 both ways.");
        foreach (var o in new Option[] { json, root, world, split, wds, field, byStatement, output }) cmd.Options.Add(o);
        m.AddTo(cmd);
        cmd.SetAction(r =>
        {
            if (r.GetValue(wds) is { } shards) return Shards(r, m, shards, r.GetValue(field)!, r.GetValue(output));
            var (file, imgRoot) = (r.GetValue(json), r.GetValue(root));
            if (r.GetValue(world) is { } w)
            {
                var evalFile = Path.Combine(w, Scenes.WorldManifest.Read(w).EvalFile);   // the world says where its eval set is
                (file, imgRoot) = (evalFile, Path.GetDirectoryName(evalFile));
            }
            if (file is null) throw new ClipSharpException("Give --karpathy FILE (with --images ROOT), --world DIR or --wds SHARDS.");
            var data = RetrievalDataset.FromKarpathyJson(file, imgRoot ?? Path.GetDirectoryName(Path.GetFullPath(file))!, r.GetValue(split)!);
            using var pipe = m.Load(r);
            var metrics = RetrievalEvaluator.Evaluate(pipe.Model, pipe.Tokenizer, pipe.Transform, data,
                new RetrievalOptions { BatchSize = pipe.Options.BatchSize }, Console.Error.WriteLine);
            var breakdown = r.GetValue(byStatement) ? StatementTable.Report(data, metrics, file) : null;
            return Report(new BenchmarkResult(data.Name, pipe.Name, r.GetValue(m.Model)!, "zeroshot_retrieval", metrics.ToBenchmarkMetrics())
            {
                Extra = breakdown is null ? null : new JsonObject { ["by_statement"] = breakdown },
            }, r.GetValue(output));
        });
        return cmd;
    }

    // retrieval on webdataset shards: the result JSON also holds the image / caption counts and the skipped samples
    private static int Shards(ParseResult r, ModelOptions m, string shards, string field, string? output)
    {
        using var pipe = m.Load(r);
        var res = ShardRetrievalEvaluator.Evaluate(pipe.Model, pipe.Tokenizer, pipe.Transform, shards,
            new RetrievalShardOptions { CaptionField = field }, new RetrievalOptions { BatchSize = pipe.Options.BatchSize }, Console.Error.WriteLine);
        var result = new BenchmarkResult(res.Name, pipe.Name, r.GetValue(m.Model)!, "zeroshot_retrieval", res.Metrics.ToBenchmarkMetrics())
        {
            Extra = new JsonObject { ["images"] = res.Images, ["captions"] = res.Captions, ["bad_samples"] = res.BadSamples.ToJsonNode() },
        };
        Console.WriteLine($"{res.Images} images, {res.Captions} captions; {res.BadSamples.Summary()}");
        return Report(result, output);
    }

    private static Command ZeroShot()
    {
        var folder = new Option<string?>("--folder") { Description = "Image folder with one sub-folder per class." };
        var csv = new Option<string?>("--csv") { Description = "CSV of path,label rows." };
        var root = new Option<string?>("--images") { Description = "Image root for the CSV paths (default: the CSV's folder)." };
        var names = new Option<string?>("--classnames") { Description = "Class names file, one per line in class order." };
        var templates = new Option<string>("--templates") { Description = "Template file, or openai, openai-selected, simple.", DefaultValueFactory = _ => "openai" };
        var output = Output();
        var m = new ModelOptions();
        var cmd = new Command("zeroshot", "Zero-shot classification: top-1, top-5, mean per-class recall.");
        foreach (var o in new Option[] { folder, csv, root, names, templates, output }) cmd.Options.Add(o);
        m.AddTo(cmd);
        cmd.SetAction(r =>
        {
            var data = r.GetValue(folder) is { } f ? ZeroShotDataset.FromImageFolder(f, r.GetValue(names))
                : r.GetValue(csv) is { } c ? ZeroShotDataset.FromCsv(c, r.GetValue(root), r.GetValue(names))
                : throw new ClipSharpException("Give --folder DIR (one sub-folder per class) or --csv FILE.");
            var tpl = ClassNameList.LoadTemplates(r.GetValue(templates)!);
            using var pipe = m.Load(r);
            var metrics = ZeroShotEvaluator.Evaluate(pipe.Model, pipe.Tokenizer, pipe.Transform, data, tpl,
                new ZeroShotOptions { BatchSize = pipe.Options.BatchSize }, Console.Error.WriteLine);
            return Report(new BenchmarkResult(data.Name, pipe.Name, r.GetValue(m.Model)!, "zeroshot_classification", metrics.ToBenchmarkMetrics()), r.GetValue(output));
        });
        return cmd;
    }

    private static Command Bags()
    {
        var world = new Option<string>("--world") { Description = "A built-in world folder (or its bags folder / bags.json).", Required = true };
        var noCaptions = new Option<bool>("--no-captions") { Description = "Skip caption self-retrieval for CLIPS models." };
        var output = Output();
        var m = new ModelOptions();
        var cmd = new Command("bags", "Fine-grained bags: text-to-image accuracy within each bag, and caption self-retrieval (CLIPS), per attribute.");
        foreach (var o in new Option[] { world, noCaptions, output }) cmd.Options.Add(o);
        m.AddTo(cmd);
        cmd.SetAction(r =>
        {
            var set = BagSet.Load(r.GetValue(world)!);
            using var pipe = m.Load(r);
            var metrics = BagEvaluator.Evaluate(pipe.Model, pipe.Tokenizer, pipe.Transform, set,
                new BagOptions { BatchSize = pipe.Options.BatchSize, CaptionSelfRetrieval = !r.GetValue(noCaptions) }, Console.Error.WriteLine);
            return Report(new BenchmarkResult(set.Name, pipe.Name, r.GetValue(m.Model)!, "fine_grained_bags", metrics.ToBenchmarkMetrics()), r.GetValue(output));
        });
        return cmd;
    }

    private static int Report(BenchmarkResult result, string? output)
    {
        Console.WriteLine(BenchmarkResult.FormatTable([result]));
        if (output is not null)
        {
            result.Write(output);
            Console.WriteLine($"wrote {output}");
        }
        return 0;
    }
}

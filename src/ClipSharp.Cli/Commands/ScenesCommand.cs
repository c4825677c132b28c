using System.CommandLine;
using ClipSharp.Core;
using ClipSharp.Scenes;

namespace ClipSharp.Cli.Commands;

/// <summary>`clipsharp scenes generate|render|sample`: the built-in synthetic-caption world.</summary>
public static class ScenesCommand
{
    public static Command Create()
    {
        var cmd = new Command("scenes", "The built-in synthetic-caption world: generate the dataset, render or sample a scene.");
        cmd.Subcommands.Add(Generate());
        cmd.Subcommands.Add(Render());
        cmd.Subcommands.Add(Sample());
        return cmd;
    }

    private static Option<int> IntOption(string name, string description, int defaultValue) =>
        new(name) { Description = description, DefaultValueFactory = _ => defaultValue };

    private static Option<string> FormatOption() => new("--format")
    {
        Description = "Image format: jpg or png.",
        DefaultValueFactory = _ => "jpg",
    };

    private static ImageFormat ParseFormat(string s) => s.ToLowerInvariant() switch
    {
        "jpg" or "jpeg" => ImageFormat.Jpeg,
        "png" => ImageFormat.Png,
        _ => throw new ClipSharpException($"--format must be jpg or png, not '{s}'."),
    };

    private static RecaptionStyle ParseStyle(string s) => s.ToLowerInvariant() switch
    {
        "subject-first" => RecaptionStyle.SubjectFirst,
        "exhaustive" => RecaptionStyle.Exhaustive,
        _ => throw new ClipSharpException($"--recaption-style must be subject-first or exhaustive, not '{s}'."),
    };

    private static Command Generate()
    {
        var defaults = new WorldGenerationOptions("");
        var outDir = new Option<string>("--out") { Description = "Output directory.", Required = true };
        var train = IntOption("--train", "Training samples (webdataset shards).", defaults.Train);
        var eval = IntOption("--eval", "Retrieval eval images (5 human captions each).", defaults.Eval);
        var bags = IntOption("--bags", "Fine-grained bags (4-10 images each).", defaults.Bags);
        var size = IntOption("--size", "Image side in pixels.", defaults.ImageSize);
        var seed = new Option<long>("--seed") { Description = "Seed; the dataset is a pure function of it.", DefaultValueFactory = _ => 0 };
        var threads = IntOption("--threads", "Worker threads (0 = one per core).", 0);
        var shard = IntOption("--shard-size", "Samples per training shard.", defaults.ShardSize);
        var format = FormatOption();
        var style = new Option<string>("--recaption-style")
        {
            Description = "Recaptions: subject-first (like MLLM recaptions: the main subject, then the rest relative to it) or exhaustive (one sentence per object in scene order).",
            DefaultValueFactory = _ => "subject-first",
        };
        var cmd = new Command("generate", "Generate train shards, the eval retrieval set, fine-grained bags, vocab.txt and manifest.json.");
        foreach (var o in new Option[] { outDir, train, eval, bags, size, seed, threads, shard, format, style }) cmd.Options.Add(o);
        cmd.SetAction(r =>
        {
            var options = new WorldGenerationOptions(r.GetValue(outDir)!, r.GetValue(train), r.GetValue(eval), r.GetValue(bags),
                r.GetValue(size), r.GetValue(seed), r.GetValue(threads), ParseFormat(r.GetValue(format)!), r.GetValue(shard));
            var config = WorldConfig.Default with { RecaptionStyle = ParseStyle(r.GetValue(style)!) };
            var m = WorldGenerator.Generate(options, config, msg => Console.WriteLine(msg));
            Console.WriteLine($"wrote {m.Train} train + {m.Eval} eval + {m.BagImages} bag images ({m.Bags} bags) at {m.ImageSize} px " +
                              $"to {Path.GetFullPath(options.OutputDir)}");
            return 0;
        });
        return cmd;
    }

    private static Command Render()
    {
        var input = new Argument<string>("scene") { Description = "Scene JSON file." };
        var output = new Option<string?>("--out") { Description = "Output image (default: the scene file with .png or .jpg)." };
        var size = IntOption("--size", "Image side in pixels.", 224);
        var format = FormatOption();
        var cmd = new Command("render", "Render a scene given as JSON, as is.");
        cmd.Arguments.Add(input);
        cmd.Options.Add(output);
        cmd.Options.Add(size);
        cmd.Options.Add(format);
        cmd.SetAction(r =>
        {
            var path = r.GetValue(input)!;
            var fmt = ParseFormat(r.GetValue(format)!);
            var scene = SceneJson.Load(path);
            var target = r.GetValue(output) ?? Path.ChangeExtension(path, fmt == ImageFormat.Png ? ".png" : ".jpg");
            using var renderer = new SceneRenderer(r.GetValue(size));
            File.WriteAllBytes(target, renderer.Encode(scene, fmt));
            Console.WriteLine($"wrote {target}");
            return 0;
        });
        return cmd;
    }

    private static Command Sample()
    {
        var seed = new Option<long>("--seed") { Description = "Seed.", DefaultValueFactory = _ => 0 };
        var index = IntOption("--index", "Training sample index.", 0);
        var output = new Option<string?>("--out") { Description = "Write the scene JSON here (default: print only)." };
        var cmd = new Command("sample", "Print one training sample's scene JSON, web alt-text and recaption.");
        cmd.Options.Add(seed);
        cmd.Options.Add(index);
        cmd.Options.Add(output);
        cmd.SetAction(r =>
        {
            var s = new WorldSamples(WorldConfig.Default, r.GetValue(seed)).Train(r.GetValue(index));
            var json = SceneJson.ToJson(s.Scene, indented: true);
            if (r.GetValue(output) is { } path) File.WriteAllText(path, json);
            Console.WriteLine(json);
            Console.WriteLine($"web: {s.Web.Text}");
            Console.WriteLine($"recaption: {s.Recaption}");
            return 0;
        });
        return cmd;
    }
}

using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using ClipSharp.Data;
using ClipSharp.Data.Images;
using ClipSharp.Text;

namespace ClipSharp.Cli.Commands;

/// <summary>`clipsharp data inspect|bench|convert`: look into a data source; measure the loader's throughput; write webdataset shards.</summary>
public static class DataCommand
{
    public static Command Create()
    {
        var cmd = new Command("data", "Inspect data sources, benchmark the data loader, convert manifests and folders to webdataset shards.");
        cmd.Subcommands.Add(Inspect());
        cmd.Subcommands.Add(Bench());
        cmd.Subcommands.Add(DataConvertCommand.Create());
        return cmd;
    }

    private static Option<string> SourceOption() => new("--source") { Description = "Shards (pattern / folder of .tar), a .jsonl/.csv/.tsv/.parquet manifest, or an image folder.", Required = true };
    private static Option<string?> TypeOption() => new("--type") { Description = "wds, jsonl, csv, tsv, parquet or folder (default: from the path)." };
    private static Option<string?> VocabOption() => new("--vocab") { Description = "Tokenizer vocabulary: vocab.txt (BERT WordPiece, CLIPS) or bpe_simple_vocab_16e6.txt.gz / vocab.json (CLIP BPE)." };
    private static Option<int> ContextOption() => new("--context") { Description = "Tokenizer context length.", DefaultValueFactory = _ => 77 };

    private static DataSourceSpec Spec(string path, string? type) => new() { Path = path, Type = type ?? DataSourceSpec.InferType(path) };

    private static ITextTokenizer? Tokenizer(string? vocab, int context) => vocab is null ? null
        : TokenizerFactory.Create(new TokenizerSpec(vocab.EndsWith(".txt", StringComparison.OrdinalIgnoreCase) && !vocab.Contains("bpe", StringComparison.OrdinalIgnoreCase)
            ? "bert-base-uncased" : null, vocab, context));

    private static Command Inspect()
    {
        var (source, type, vocab, context) = (SourceOption(), TypeOption(), VocabOption(), ContextOption());
        var limit = new Option<long?>("--limit") { Description = "Read at most this many samples." };
        var cmd = new Command("inspect", "Count samples, field coverage, caption lengths and bad samples by reason; print a few examples (JSON).");
        foreach (var o in new Option[] { source, type, limit, vocab, context }) cmd.Options.Add(o);
        cmd.SetAction(r =>
        {
            var report = DataInspector.Inspect(Spec(r.GetValue(source)!, r.GetValue(type)), r.GetValue(limit), Tokenizer(r.GetValue(vocab), r.GetValue(context)));
            Console.WriteLine(report.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
            return 0;
        });
        return cmd;
    }

    private static Command Bench()
    {
        var (source, type, vocab, context) = (SourceOption(), TypeOption(), VocabOption(), ContextOption());
        var workers = new Option<int[]>("--workers") { Description = "Worker counts to measure.", DefaultValueFactory = _ => [1, 2], AllowMultipleArgumentsPerToken = true };
        var batch = new Option<int>("--batch") { Description = "Batch size.", DefaultValueFactory = _ => 50 };
        var samples = new Option<int>("--samples") { Description = "Samples to time per worker count (after one warm-up batch).", DefaultValueFactory = _ => 500 };
        var size = new Option<int>("--size") { Description = "Output image size.", DefaultValueFactory = _ => 224 };
        var augment = new Option<bool>("--augment") { Description = "Train augmentation (random resized crop) instead of the eval transform (resize + centre crop, bicubic)." };
        var cmd = new Command("bench", "Measure the loader's samples/s (read + decode + transform + normalise [+ tokenize]) for each worker count (JSON).");
        foreach (var o in new Option[] { source, type, workers, batch, samples, size, augment, vocab, context }) cmd.Options.Add(o);
        cmd.SetAction(r =>
        {
            var spec = Spec(r.GetValue(source)!, r.GetValue(type));
            var tok = Tokenizer(r.GetValue(vocab), r.GetValue(context));
            var results = new JsonArray();
            foreach (var w in r.GetValue(workers)!)
            {
                var options = new LoaderOptions
                {
                    Sources = [spec],
                    BatchSize = r.GetValue(batch),
                    Workers = w,
                    ShuffleBuffer = 0,
                    ShuffleShards = false,
                    Preprocess = PreprocessConfig.OpenAi(r.GetValue(size)),
                    Augment = r.GetValue(augment) ? TrainAugmentConfig.Default : null,
                    Captions = new CaptionViewOptions { Tokenizer = tok ?? new ClipsWordPieceTokenizer(WordPieceVocabulary.Build([]), 8), Web = tok is not null },
                    DropLast = false,
                };
                results.Add(Measure(options, r.GetValue(samples)));
            }
            var report = new JsonObject
            {
                ["source"] = spec.Path, ["type"] = spec.NormalizedType, ["image_size"] = r.GetValue(size),
                ["transform"] = r.GetValue(augment) ? "train (random resized crop)" : "eval (resize shortest + centre crop, bicubic)",
                ["tokenize"] = tok is not null, ["cpu_count"] = Environment.ProcessorCount, ["results"] = results,
            };
            Console.WriteLine(report.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
            return 0;
        });
        return cmd;
    }

    // Times batches after the first (warm-up: thread start, libvips init); epochs repeat until enough samples.
    private static JsonObject Measure(LoaderOptions options, int samples)
    {
        using var loader = new DataLoader(options);
        long n = 0;
        var sw = new Stopwatch();
        foreach (var b in loader.Batches())
        {
            using (b)
            {
                if (!sw.IsRunning) { sw.Start(); continue; }
                n += b.Count;
            }
            if (n >= samples) break;
        }
        sw.Stop();
        return new JsonObject
        {
            ["workers"] = options.Workers, ["samples"] = n, ["seconds"] = Math.Round(sw.Elapsed.TotalSeconds, 3),
            ["samples_per_s"] = Math.Round(n / sw.Elapsed.TotalSeconds, 1), ["bad_samples"] = loader.BadSamples.Total,
        };
    }
}

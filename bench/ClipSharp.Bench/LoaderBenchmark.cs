using System.Diagnostics;
using System.Text.Json.Nodes;
using ClipSharp.Core;
using ClipSharp.Data;
using ClipSharp.Data.Images;
using ClipSharp.Text;

namespace ClipSharp.Bench;

/// <summary>
/// The data loader's samples/s on your own source (read + decode + transform + normalise [+ tokenize]) for each worker
/// count, as JSON:
///   dotnet run --project bench/ClipSharp.Bench -c Release -- loader --source SHARDS|MANIFEST|FOLDER [--type T]
///       [--workers 1,2] [--batch 50] [--samples 500] [--size 224] [--augment] [--vocab FILE] [--context 77]
/// </summary>
public static class LoaderBenchmark
{
    /// <summary>Parses the arguments after "loader", measures, prints the JSON report; returns the exit code.</summary>
    public static int Run(IReadOnlyList<string> args)
    {
        string? source = null, type = null, vocab = null;
        int[] workers = [1, 2];
        int batch = 50, samples = 500, size = 224, context = 77;
        bool augment = false;
        for (int i = 0; i < args.Count; i++)
        {
            string Next() => i + 1 < args.Count ? args[++i] : throw new ClipSharpException($"Option {args[i]} needs a value.");
            int Int() => int.TryParse(Next(), out var v) && v > 0 ? v : throw new ClipSharpException($"{args[i - 1]} needs a positive integer.");
            switch (args[i])
            {
                case "--source": source = Next(); break;
                case "--type": type = Next(); break;
                case "--workers": workers = Next().Split(',').Select(w => int.TryParse(w, out var n) && n > 0 ? n : throw new ClipSharpException($"--workers: '{w}' is not a positive count.")).ToArray(); break;
                case "--batch": batch = Int(); break;
                case "--samples": samples = Int(); break;
                case "--size": size = Int(); break;
                case "--context": context = Int(); break;
                case "--vocab": vocab = Next(); break;
                case "--augment": augment = true; break;
                default: throw new ClipSharpException($"Unknown loader-bench option '{args[i]}'.");
            }
        }
        var spec = new DataSourceSpec { Path = source ?? throw new ClipSharpException("loader needs --source."), Type = type ?? DataSourceSpec.InferType(source) };
        var tok = vocab is null ? null : TokenizerFactory.Create(new TokenizerSpec(
            vocab.EndsWith(".txt", StringComparison.OrdinalIgnoreCase) && !vocab.Contains("bpe", StringComparison.OrdinalIgnoreCase) ? "bert-base-uncased" : null, vocab, context));
        var results = new JsonArray();
        foreach (var w in workers) results.Add(Measure(Options(spec, w, batch, size, augment, tok), samples));
        var report = new JsonObject
        {
            ["source"] = spec.Path, ["type"] = spec.NormalizedType, ["image_size"] = size,
            ["transform"] = augment ? "train (random resized crop)" : "eval (resize shortest + centre crop, bicubic)",
            ["tokenize"] = tok is not null, ["cpu_count"] = Environment.ProcessorCount, ["results"] = results,
        };
        Console.WriteLine(report.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }));
        return 0;
    }

    private static LoaderOptions Options(DataSourceSpec spec, int workers, int batch, int size, bool augment, ITextTokenizer? tok) => new()
    {
        Sources = [spec], BatchSize = batch, Workers = workers, ShuffleBuffer = 0, ShuffleShards = false,
        Preprocess = PreprocessConfig.OpenAi(size), Augment = augment ? TrainAugmentConfig.Default : null,
        Captions = new CaptionViewOptions { Tokenizer = tok ?? new ClipsWordPieceTokenizer(WordPieceVocabulary.Build([]), 8), Web = tok is not null },
        DropLast = false,
    };

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

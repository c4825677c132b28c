using ClipSharp.Scenes;
using ClipSharp.Text;

namespace ClipSharp.Bench;

/// <summary>
/// The loader's text work per sample: CLIPS WordPiece tokenization (the built-in world's BERT-layout vocabulary) of
/// the web caption, plus sub-caption token reduction of the synthetic recaption to 32 tokens (split into sentences,
/// pick one per sample and epoch, tokenize, frame), on the built-in world's training captions, on 1 or more threads
/// (samples split across threads like decode workers). Captions/s = captions / median pass time; one caption = one
/// sample's web + synthetic caption.
/// </summary>
public static class CaptionBenchmark
{
    private const int Captions = 20_000;

    /// <summary>captions-1t and captions-2t, for <see cref="BenchCatalog"/>.</summary>
    public static IReadOnlyList<BenchSpec> Specs { get; } =
    [
        new("captions-1t", "CLIPS WordPiece tokenize + sub-caption reduction, world captions, 1 thread", true, false,
            o => Run("captions-1t", "captions (tokenize + reduce), 1 thread", 1, o)),
        new("captions-2t", "CLIPS WordPiece tokenize + sub-caption reduction, world captions, 2 threads", true, false,
            o => Run("captions-2t", "captions (tokenize + reduce), 2 threads", 2, o)),
    ];

    public static BenchResult Run(string name, string description, int threads, BenchOptions o)
    {
        var world = new WorldSamples(new WorldConfig(), seed: 42);
        var samples = Enumerable.Range(0, Captions).Select(i => world.Train(i)).Select(s => (Web: s.Web.Text, Synthetic: s.Recaption)).ToArray();
        var tokenizer = new ClipsWordPieceTokenizer(new WordPieceVocabulary(WorldVocabulary.Tokens), contextLength: 80);
        var reducer = new CaptionTokenReducer(tokenizer, new TokenReductionOptions { Strategy = TokenReductionStrategy.SubCaption, Budget = 32, Seed = 1 });
        long checksum = 0;
        void Range(int from, int to)
        {
            long local = 0;
            for (int i = from; i < to; i++)
            {
                var (web, synthetic) = samples[i];
                local += tokenizer.Encode(web)[1];
                local += reducer.ReduceToRow(synthetic, web, epoch: 0, sampleKey: i.ToString())[1];
            }
            Interlocked.Add(ref checksum, local);
        }
        void Pass()
        {
            if (threads == 1) { Range(0, samples.Length); return; }
            int per = (samples.Length + threads - 1) / threads;
            Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads },
                t => Range(t * per, Math.Min(samples.Length, (t + 1) * per)));
        }
        var times = Timing.Measure(Pass, o.Warmup, o.Repeats);
        double s = Timing.Median(times);
        double meanChars = samples.Average(x => x.Web.Length + x.Synthetic.Length);
        return new BenchResult
        {
            Name = name,
            Description = description,
            Value = samples.Length / s,
            Unit = "captions/s",
            RepeatSeconds = times,
            MedianSeconds = s,
            PeakRssMiB = ProcessMemory.PeakRssMiB(),
            Details = new Dictionary<string, string>
            {
                ["captions"] = samples.Length.ToString(), ["threads"] = threads.ToString(),
                ["mean_chars_web_plus_synthetic"] = meanChars.ToString("F1"), ["reduction"] = "sub-caption, budget 32",
                ["vocab_tokens"] = WorldVocabulary.Tokens.Count.ToString(), ["checksum"] = checksum.ToString(),
            },
        };
    }
}

using ClipSharp.Encoders;
using ClipSharp.Core;
using ClipSharp.Data;
using ClipSharp.Data.Images;
using ClipSharp.Modeling;
using ClipSharp.Text;
using static TorchSharp.torch;

namespace ClipSharp.Evaluation;

/// <summary>
/// Zero-shot retrieval on webdataset shards (<see cref="RetrievalShardReader"/>), streamed: samples are read and their
/// images decoded (from the tar bytes, in parallel) and transformed a batch at a time, so memory holds one batch of
/// pixels plus the features. Images that cannot be decoded are skipped and counted like the reader's bad samples. The
/// usable images are encoded in batches of exactly <see cref="RetrievalOptions.BatchSize"/> in sample order, so the
/// result equals <see cref="RetrievalEvaluator"/> on the same images and captions as files.
/// </summary>
public static class ShardRetrievalEvaluator
{
    /// <summary>R@K both ways on the shards <paramref name="shards"/> names; the model is put in eval mode.</summary>
    public static ShardRetrievalResult Evaluate(ContrastiveModel model, ITextTokenizer tokenizer, EvalTransform transform,
        string shards, RetrievalShardOptions? shardOptions = null, RetrievalOptions? options = null, Action<string>? log = null)
    {
        shardOptions ??= new RetrievalShardOptions();
        options ??= new RetrievalOptions();
        if (options.BatchSize <= 0) throw new ClipSharpException($"Batch size must be positive, not {options.BatchSize}.");
        model.eval();
        var device = options.Device ?? BatchEncoder.DeviceOf(model);
        var bad = new BadSampleLog(log);
        var cfg = transform.Config;
        int pixels = 3 * cfg.Height * cfg.Width, batch = options.BatchSize;
        var captions = new List<string>();
        var owner = new List<int>();
        var pending = new List<float[]>();
        var features = new List<Tensor>();
        int used = 0;   // usable images so far (the index of the next one)
        try
        {
            foreach (var chunk in RetrievalShardReader.Read(shards, shardOptions, bad).Chunk(batch))
            {
                var (chw, errors) = DecodeChunk(transform, chunk, pixels);
                for (int i = 0; i < chunk.Length; i++)
                {
                    if (errors[i] is { } e) { bad.Record(e); continue; }
                    foreach (var c in chunk[i].Captions) { captions.Add(c); owner.Add(used); }
                    pending.Add(chw[i]);
                    used++;
                    if (pending.Count == batch) Flush();
                }
                log?.Invoke($"images {used} ({bad.Snapshot().Summary()})");
            }
            if (pending.Count > 0) Flush();
            var report = bad.Snapshot();
            if (features.Count == 0) throw new ClipSharpException($"Webdataset \"{shards}\": no usable sample ({report.Summary()}).");
            using var images = cat(features, 0);
            using var texts = BatchEncoder.EncodeTexts(model, tokenizer, captions, batch * 4, device,
                log is null ? null : (i, n) => log($"captions {i}/{n}"));
            using var img = images.to(device);
            using var txt = texts.to(device);
            var metrics = RetrievalScorer.Score(img, txt, owner, options.Ks, options.BlockSize);
            return new ShardRetrievalResult(shardOptions.Name ?? DefaultName(shards), metrics, used, captions.Count, report);
        }
        finally
        {
            foreach (var f in features) f.Dispose();
        }

        // encodes the pending images as one batch: (B, 3, H, W) → (B, E) features on the CPU
        void Flush()
        {
            var flat = new float[pending.Count * pixels];
            for (int i = 0; i < pending.Count; i++) pending[i].CopyTo(flat, i * pixels);
            using var x = tensor(flat, [pending.Count, 3, cfg.Height, cfg.Width], ScalarType.Float32);
            features.Add(BatchEncoder.EncodeImageTensor(model, x, pending.Count, device));
            pending.Clear();
        }
    }

    // one chunk's images decoded and transformed in parallel: pixels, or the bad-sample error, per sample
    private static (float[][] Chw, BadSampleException?[] Errors) DecodeChunk(EvalTransform transform, RetrievalShardSample[] chunk, int pixels)
    {
        var chw = new float[chunk.Length][];
        var errors = new BadSampleException?[chunk.Length];
        Parallel.For(0, chunk.Length, i =>
        {
            try { chw[i] = Pixels(transform, chunk[i], pixels); }
            catch (BadSampleException e) { errors[i] = e; }
        });
        return (chw, errors);
    }

    // bytes → decoded → eval transform, (3, H, W) floats; decoder failures become bad samples with the Data layer's reasons
    private static float[] Pixels(EvalTransform transform, RetrievalShardSample s, int pixels)
    {
        var name = $"{s.Key}.{s.ImageExt}";
        if (s.Image.Length == 0) throw new BadSampleException(BadSampleReasons.EmptyImage, s.Origin, s.Key, $"the {s.ImageExt} image is 0 bytes");
        try
        {
            using var img = transform.Decoder.Decode(s.Image, name, (transform.Config.Height, transform.Config.Width));
            var chw = new float[pixels];
            transform.ApplyInto(img, chw);
            return chw;
        }
        catch (Exception e) when (e is ClipSharpException or NetVips.VipsException)
        {
            var reason = e.Message.Contains("over the limit", StringComparison.Ordinal) ? BadSampleReasons.ImageTooLarge : BadSampleReasons.CorruptImage;
            var detail = e.Message.StartsWith(name + ": ", StringComparison.Ordinal) ? e.Message[(name.Length + 2)..] : e.Message;
            throw new BadSampleException(reason, s.Origin, s.Key, detail.Split('\n')[0].TrimEnd('.'), e);
        }
    }

    // a folder: its name; one shard: its file name stem; a pattern: the first shard's folder name
    private static string DefaultName(string shards)
    {
        var trimmed = shards.TrimEnd('/', Path.DirectorySeparatorChar);
        if (Directory.Exists(trimmed)) return Path.GetFileName(Path.GetFullPath(trimmed));
        var list = RetrievalShardReader.Shards(shards);
        return list.Count == 1 ? Path.GetFileNameWithoutExtension(list[0]) : Path.GetFileName(Path.GetDirectoryName(Path.GetFullPath(list[0]))) ?? "wds";
    }
}

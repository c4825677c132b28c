using ClipSharp.Encoders;
using ClipSharp.Data.Images;
using ClipSharp.Modeling;
using ClipSharp.Text;
using static TorchSharp.torch;

namespace ClipSharp.Evaluation;

/// <summary>
/// Fine-grained bag evaluation on the built-in world: within each bag (images differing in one attribute), does the
/// caption find its image, the image its caption, and — for CLIPS — the model's own generated caption its image?
/// Reported overall and per attribute type, next to chance.
/// </summary>
public static class BagEvaluator
{
    /// <summary>Evaluates every bag; the model is put in eval mode. Captions are generated only for <see cref="ClipsModel"/>.</summary>
    public static BagMetrics Evaluate(ContrastiveModel model, ITextTokenizer tokenizer, EvalTransform transform, BagSet bags,
        BagOptions? options = null, Action<string>? log = null)
    {
        options ??= new BagOptions();
        model.eval();
        var device = options.Device ?? BatchEncoder.DeviceOf(model);
        var paths = bags.Bags.SelectMany(b => b.ImagePaths).ToList();
        var captions = bags.Bags.SelectMany(b => b.Captions).ToList();
        using var images = BatchEncoder.EncodeImageFiles(model, transform, paths, options.BatchSize, device);
        using var texts = BatchEncoder.EncodeTexts(model, tokenizer, captions, options.BatchSize * 4, device);
        log?.Invoke($"bags: encoded {paths.Count} images and captions");
        string[] generated = [];
        Tensor? genEmb = null;
        if (model is ClipsModel clips && options.CaptionSelfRetrieval)
        {
            generated = Generate(clips, tokenizer, transform, paths, options, device);
            genEmb = BatchEncoder.EncodeTexts(model, tokenizer, generated, options.BatchSize * 4, device);
            log?.Invoke($"bags: generated {generated.Length} captions, e.g. \"{generated.FirstOrDefault()}\"");
        }
        using (genEmb) return Score(bags, images, texts, genEmb, generated);
    }

    /// <summary>
    /// The scoring alone: images (N, E) and captions (N, E) in the bags' flattened order (bag by bag, image by image),
    /// optionally generated-caption embeddings (N, E).
    /// </summary>
    public static BagMetrics Score(BagSet bags, Tensor images, Tensor captions, Tensor? generated = null, IReadOnlyList<string>? generatedText = null)
    {
        var img = Rows(images);
        var txt = Rows(captions);
        var gen = generated is null ? null : Rows(generated);
        var perBag = new List<(EvalBag Bag, int T2I, int I2T, int Self)>();
        int offset = 0;
        foreach (var bag in bags.Bags)
        {
            int n = bag.ImagePaths.Count, t2i = 0, i2t = 0, self = 0;
            for (int j = 0; j < n; j++)
            {
                if (Wins(k => Dot(txt[offset + j], img[offset + k]), j, n)) t2i++;
                if (Wins(k => Dot(img[offset + j], txt[offset + k]), j, n)) i2t++;
                if (gen is not null && Wins(k => Dot(gen[offset + j], img[offset + k]), j, n)) self++;
            }
            perBag.Add((bag, t2i, i2t, self));
            offset += n;
        }
        if (offset != img.Length) throw new ArgumentException($"{img.Length} image embeddings for {offset} bag images.");
        BagScore Summarize(IReadOnlyCollection<(EvalBag Bag, int T2I, int I2T, int Self)> g)
        {
            double q = g.Sum(x => x.Bag.ImagePaths.Count);
            return new BagScore(g.Count, (int)q, g.Sum(x => x.T2I) / q, g.Sum(x => x.I2T) / q,
                gen is null ? null : g.Sum(x => x.Self) / q, g.Count / q);  // Σ_bags n·(1/n) / Σ n
        }
        // attributes in the order the bag file first names them
        var per = perBag.GroupBy(x => x.Bag.Attribute).ToDictionary(g => g.Key, g => Summarize(g.ToList()));
        return new BagMetrics(Summarize(perBag), per, generatedText ?? []);
    }

    // Greedy captions of each image with an empty web caption, in batches.
    private static string[] Generate(ClipsModel model, ITextTokenizer tok, EvalTransform tf, IReadOnlyList<string> paths, BagOptions o, Device device)
    {
        var result = new List<string>(paths.Count);
        for (int from = 0; from < paths.Count; from += o.BatchSize)
        {
            using var scope = NewDisposeScope();
            var batch = paths.Skip(from).Take(o.BatchSize).ToList();
            var chw = new Tensor[batch.Count];
            Parallel.For(0, batch.Count, i => chw[i] = tf.Apply(batch[i]));
            result.AddRange(CaptionGenerator.Generate(model, stack(chw).to(device), null, tok, o.Generation));
        }
        return result.ToArray();
    }

    // query j wins when its own candidate scores strictly above every other candidate of the bag
    private static bool Wins(Func<int, double> score, int j, int n)
    {
        double own = score(j);
        for (int k = 0; k < n; k++) if (k != j && score(k) >= own) return false;
        return true;
    }

    private static float[][] Rows(Tensor t)
    {
        var c = t.to(ScalarType.Float32).cpu().contiguous();
        int n = (int)c.shape[0], e = (int)c.shape[1];
        var flat = c.data<float>().ToArray();
        return Enumerable.Range(0, n).Select(i => flat.AsSpan(i * e, e).ToArray()).ToArray();
    }

    private static double Dot(float[] a, float[] b) => System.Numerics.Tensors.TensorPrimitives.Dot(a, b);
}

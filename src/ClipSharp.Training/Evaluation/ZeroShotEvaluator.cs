using ClipSharp.Encoders;
using ClipSharp.Core;
using ClipSharp.Data.Images;
using ClipSharp.Modeling;
using ClipSharp.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace ClipSharp.Evaluation;

/// <summary>
/// Zero-shot classification: class embeddings from prompt templates (<see cref="ZeroShotHead"/>), image embeddings,
/// then each image's classes ranked by cosine similarity.
/// </summary>
public static class ZeroShotEvaluator
{
    /// <summary>Top-1/top-5 and per-class accuracy on <paramref name="data"/>; the model is put in eval mode.</summary>
    public static ZeroShotMetrics Evaluate(ContrastiveModel model, ITextTokenizer tokenizer, EvalTransform transform, ZeroShotDataset data,
        IReadOnlyList<string> templates, ZeroShotOptions? options = null, Action<string>? log = null)
    {
        options ??= new ZeroShotOptions();
        model.eval();
        var device = options.Device ?? BatchEncoder.DeviceOf(model);
        using var classes = ZeroShotHead.Build(model, tokenizer, data.ClassNames, templates, options.BatchSize * 4, device);
        log?.Invoke($"zeroshot: {data.ClassNames.Count} classes x {templates.Count} templates encoded");
        using var images = BatchEncoder.EncodeImageFiles(model, transform, data.ImagePaths, options.BatchSize, device,
            log is null ? null : (i, n) => log($"images {i}/{n}"));
        return Score(images, classes, data.Labels, data.ClassNames);
    }

    /// <summary>images (N, E), classes (C, E), labels (N) → metrics. A class counts as top-k when fewer than k classes score strictly higher.</summary>
    public static ZeroShotMetrics Score(Tensor images, Tensor classes, IReadOnlyList<int> labels, IReadOnlyList<string> classNames)
    {
        long n = images.shape[0], c = classes.shape[0];
        if (labels.Count != n) throw new ClipSharpException($"{n} image embeddings but {labels.Count} labels.");
        if (labels.Any(l => l < 0 || l >= c)) throw new ClipSharpException($"A label is outside the {c} classes.");
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var sim = images.to(ScalarType.Float32).matmul(classes.to(ScalarType.Float32).to(images.device).t());       // (N, C)
        var own = sim.gather(1, torch.tensor(labels.Select(l => (long)l).ToArray(), device: sim.device).unsqueeze(1));
        var rank = sim.gt(own).sum(1).cpu().data<long>().ToArray();                                             // classes above the true one
        var pred = sim.argmax(1).to(ScalarType.Int32).cpu().data<int>().ToArray();
        var perClass = new double[c];
        for (int k = 0; k < c; k++)
        {
            var idx = Enumerable.Range(0, (int)n).Where(i => labels[i] == k).ToList();
            perClass[k] = idx.Count == 0 ? double.NaN : idx.Count(i => rank[i] == 0) / (double)idx.Count;
        }
        var present = perClass.Where(double.IsFinite).ToList();
        return new ZeroShotMetrics(rank.Count(r => r < 1) / (double)n, rank.Count(r => r < 5) / (double)n, perClass,
            present.Count == 0 ? 0 : present.Average(), classNames, pred);
    }
}

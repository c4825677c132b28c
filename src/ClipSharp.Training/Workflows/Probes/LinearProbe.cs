using ClipSharp.Core;
using ClipSharp.Training.Optim;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ClipSharp.Workflows.Probes;

/// <summary>Accuracies of one probe: held-out and training accuracy of the fit, and the majority-class baseline.</summary>
/// <param name="HeldOutAccuracy">Fraction of held-out samples whose argmax class is their label.</param>
/// <param name="TrainAccuracy">The same on the samples it was fitted on (a probe far above its held-out accuracy overfits).</param>
/// <param name="MajorityAccuracy">Held-out accuracy of always answering the most common class of the training samples.</param>
public sealed record ProbeFit(double HeldOutAccuracy, double TrainAccuracy, double MajorityAccuracy);

/// <summary>
/// A linear probe: multinomial logistic regression from frozen features to a class, fitted full batch.
/// Features are standardised with the training rows' mean and sd; logits = z·W + b; loss = mean cross-entropy + λ·‖W‖²
/// (b not penalised); W and b start at zero and Adam takes a fixed number of full-batch steps, so the fit is a
/// deterministic function of its inputs (no random init, no sampling).
/// </summary>
public static class LinearProbe
{
    /// <summary>
    /// Fits on rows <paramref name="train"/> of <paramref name="features"/> (N, D) with <paramref name="labels"/> in
    /// [0, <paramref name="classes"/>) and scores rows <paramref name="heldOut"/>.
    /// </summary>
    public static ProbeFit Fit(Tensor features, long[] labels, int classes, long[] train, long[] heldOut,
        int iterations = 500, double learningRate = 0.05, double l2 = 1e-4)
    {
        if (features.dim() != 2 || features.shape[0] != labels.Length)
            throw new ClipSharpException($"Probe features must be (N, D) with one label per row; got {string.Join("×", features.shape)} for {labels.Length} labels.");
        if (classes < 2) throw new ClipSharpException($"A probe needs at least 2 classes, not {classes}.");
        if (labels.Any(l => l < 0 || l >= classes)) throw new ClipSharpException($"Probe labels must lie in [0, {classes}).");
        if (train.Length == 0 || heldOut.Length == 0) throw new ClipSharpException("A probe needs training and held-out rows.");
        using var scope = NewDisposeScope();
        var x = features.to(ScalarType.Float32).cpu();
        var y = tensor(labels);
        var (trainIdx, heldIdx) = (tensor(train), tensor(heldOut));
        var xTrain = x.index_select(0, trainIdx);
        var mean = xTrain.mean([0]);
        var sd = xTrain.std([0]).clamp_min(Scalars.Of(1e-6));
        var z = x.add(mean.neg(), Scalars.One).div(sd);
        var (zTrain, yTrain) = (z.index_select(0, trainIdx), y.index_select(0, trainIdx));
        var w = new Parameter(zeros([z.shape[1], classes]));
        var b = new Parameter(zeros([classes]));
        using var opt = new KeptAliveAdamW([new(new[] { w, b }, learningRate, 0.9, 0.999, 1e-8, 0.0)], learningRate, 0.9, 0.999, 1e-8, 0.0);
        for (int it = 0; it < iterations; it++)
        {
            using var step = NewDisposeScope();
            opt.zero_grad();
            var ce = nn.functional.cross_entropy(zTrain.matmul(w).add(b, Scalars.One), yTrain);
            ce.add(w.mul(w).sum().mul(Scalars.Of(l2)), Scalars.One).backward();
            opt.step();
        }
        using var noGrad = no_grad();
        double Accuracy(Tensor idx) => z.index_select(0, idx).matmul(w).add(b, Scalars.One).argmax(1).eq(y.index_select(0, idx))
            .to(ScalarType.Float64).mean().item<double>();
        return new ProbeFit(Accuracy(heldIdx), Accuracy(trainIdx), MajorityAccuracy(labels, classes, train, heldOut));
    }

    /// <summary>Held-out accuracy of always answering the training rows' most common class (ties: the lowest class).</summary>
    public static double MajorityAccuracy(long[] labels, int classes, long[] train, long[] heldOut)
    {
        var counts = new int[classes];
        foreach (var i in train) counts[labels[i]]++;
        long majority = Array.IndexOf(counts, counts.Max());
        return heldOut.Count(i => labels[i] == majority) / (double)heldOut.Length;
    }

    /// <summary>
    /// A seeded split of <paramref name="count"/> rows: round(count × <paramref name="holdout"/>) held out (at least 1,
    /// leaving at least 1 to train on), chosen by a Fisher–Yates shuffle from <paramref name="seed"/>; both sorted.
    /// </summary>
    public static (long[] Train, long[] HeldOut) Split(int count, double holdout, long seed)
    {
        if (holdout is <= 0 or >= 1 || double.IsNaN(holdout)) throw new ClipSharpException($"The held-out share must lie in (0, 1), not {holdout}.");
        if (count < 2) throw new ClipSharpException($"A train/held-out split needs at least 2 samples, not {count}.");
        var order = Enumerable.Range(0, count).Select(i => (long)i).ToArray();
        var rng = new Random(unchecked((int)(seed ^ (seed >> 32))));
        for (int i = count - 1; i > 0; i--)
        {
            int j = rng.Next(i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }
        int held = Math.Clamp((int)Math.Round(count * holdout), 1, count - 1);
        return (order[held..].Order().ToArray(), order[..held].Order().ToArray());
    }
}

namespace ClipSharp.Evaluation;

/// <summary>
/// Zero-shot classification results (fractions in [0, 1]): top-1 / top-5 accuracy over all images, accuracy per class
/// (NaN for a class without images), and their mean over classes with images (CLIP_benchmark's mean_per_class_recall).
/// Predictions[i] is the top-1 class of image i.
/// </summary>
public sealed record ZeroShotMetrics(double Top1, double Top5, IReadOnlyList<double> PerClassAccuracy, double MeanPerClassRecall,
    IReadOnlyList<string> ClassNames, int[] Predictions)
{
    /// <summary>CLIP_benchmark's keys: acc1, acc5, mean_per_class_recall.</summary>
    public IReadOnlyDictionary<string, double> ToBenchmarkMetrics() => new SortedDictionary<string, double>(StringComparer.Ordinal)
    {
        ["acc1"] = Top1, ["acc5"] = Top5, ["mean_per_class_recall"] = MeanPerClassRecall,
    };

    /// <summary>Flat names for a metrics log: zeroshot_top1, zeroshot_top5, zeroshot_mean_per_class_recall.</summary>
    public IReadOnlyDictionary<string, double> ToDictionary() => new SortedDictionary<string, double>(StringComparer.Ordinal)
    {
        ["zeroshot_top1"] = Top1, ["zeroshot_top5"] = Top5, ["zeroshot_mean_per_class_recall"] = MeanPerClassRecall,
    };
}

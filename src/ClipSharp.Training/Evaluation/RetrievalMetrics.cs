namespace ClipSharp.Evaluation;

/// <summary>
/// Recall@K both ways, as fractions in [0, 1]. ImageToText[K]: share of images with at least one of their captions in
/// the top K texts; TextToImage[K]: share of captions whose image is in the top K images. Ranks are 0-based (0 = best);
/// a query is found at K when its rank &lt; K.
/// </summary>
public sealed record RetrievalMetrics(
    IReadOnlyDictionary<int, double> ImageToText, IReadOnlyDictionary<int, double> TextToImage,
    int[] ImageRanks, int[] TextRanks)
{
    /// <summary>From ranks: recall@K = mean(rank &lt; K).</summary>
    public static RetrievalMetrics FromRanks(int[] imageRanks, int[] textRanks, IReadOnlyList<int> ks) => new(
        ks.ToDictionary(k => k, k => Recall(imageRanks, k)), ks.ToDictionary(k => k, k => Recall(textRanks, k)), imageRanks, textRanks);

    /// <summary>CLIP_benchmark's keys: text_retrieval_recall@K (image→text), image_retrieval_recall@K (text→image).</summary>
    public IReadOnlyDictionary<string, double> ToBenchmarkMetrics()
    {
        var d = new SortedDictionary<string, double>(StringComparer.Ordinal);
        foreach (var (k, v) in TextToImage) d[$"image_retrieval_recall@{k}"] = v;
        foreach (var (k, v) in ImageToText) d[$"text_retrieval_recall@{k}"] = v;
        return d;
    }

    /// <summary>
    /// Flat names for a training run's metrics log: the <see cref="ToBenchmarkMetrics"/> keys plus
    /// "retrieval_mean_recall" (mean over both directions and every K, as OpenCLIP logs it).
    /// </summary>
    public IReadOnlyDictionary<string, double> ToDictionary()
    {
        var d = new SortedDictionary<string, double>(ToBenchmarkMetrics().ToDictionary(), StringComparer.Ordinal);
        var all = TextToImage.Values.Concat(ImageToText.Values).ToList();
        d["retrieval_mean_recall"] = all.Count == 0 ? 0 : all.Average();
        return d;
    }

    private static double Recall(int[] ranks, int k) => ranks.Length == 0 ? 0 : ranks.Count(r => r < k) / (double)ranks.Length;
}

namespace ClipSharp.Scenes.Mentions;

/// <summary>One caption of an eval set: the image it belongs to and what it states.</summary>
public sealed record OracleCaption(int Image, CaptionMention Mention);

/// <summary>
/// Ceilings from a retriever that knows every scene exactly: it ranks first every image whose scene fits what the
/// caption states (<see cref="CaptionMention.Matches"/>), in random order, and the figures are the expected values
/// of that random order (no sampling). With n fitting images, text→image R@K = min(1, K/n); for an image whose
/// scene fits M captions, t of them its own, image→text R@K = 1 − C(M−t, K)/C(M, K). A caption that does not fit its
/// own image is a writer bug and throws. Metric names are the evaluators' own.
/// </summary>
public static class MentionOracle
{
    /// <summary>Expected recall@K both ways, for K in <paramref name="ks"/>.</summary>
    public static Dictionary<string, double> Retrieval(IReadOnlyList<Scene> scenes, IReadOnlyList<OracleCaption> captions, IReadOnlyList<int> ks)
    {
        var fitsCaption = new int[captions.Count];
        var fitsImage = new int[scenes.Count];
        var own = new int[scenes.Count];
        for (var c = 0; c < captions.Count; c++)
        {
            var (image, mention) = (captions[c].Image, captions[c].Mention);
            if (!mention.Matches(scenes[image]))
                throw new Core.ClipSharpException($"Caption {c} states something its own image {image} does not show (a caption-writer bug).");
            own[image]++;
            for (var i = 0; i < scenes.Count; i++)
                if (i == image || mention.Matches(scenes[i])) { fitsCaption[c]++; fitsImage[i]++; }
        }
        var result = new Dictionary<string, double>();
        var withCaptions = Enumerable.Range(0, scenes.Count).Where(i => own[i] > 0).ToList();
        foreach (var k in ks)
        {
            result[$"image_retrieval_recall@{k}"] = captions.Count == 0 ? double.NaN : fitsCaption.Average(n => TextToImageRecall(n, k));
            result[$"text_retrieval_recall@{k}"] = withCaptions.Count == 0 ? double.NaN
                : withCaptions.Average(i => 1 - MissProbability(fitsImage[i], own[i], k));
        }
        return result;
    }

    /// <summary>For each caption, how many of <paramref name="scenes"/> fit what it states (its own image always counts).</summary>
    public static int[] FittingImages(IReadOnlyList<Scene> scenes, IReadOnlyList<OracleCaption> captions) =>
        captions.Select(c => Enumerable.Range(0, scenes.Count).Count(i => i == c.Image || c.Mention.Matches(scenes[i]))).ToArray();

    /// <summary>Expected text→image recall@K of a caption that <paramref name="fitting"/> images fit: min(1, K/n).</summary>
    public static double TextToImageRecall(int fitting, int k) => Math.Min(1.0, (double)k / fitting);

    /// <summary>
    /// Expected accuracy inside one bag (pick the right image for a caption, the right caption for an image) when
    /// ties between fitting candidates are broken at random: mean of 1/(number of fitting candidates).
    /// </summary>
    public static (double TextToImage, double ImageToText) Bag(IReadOnlyList<Scene> scenes, IReadOnlyList<CaptionMention> captions)
    {
        if (scenes.Count != captions.Count) throw new ArgumentException("A bag has one caption per image.");
        double t2i = 0, i2t = 0;
        for (var j = 0; j < scenes.Count; j++)
        {
            if (!captions[j].Matches(scenes[j])) throw new Core.ClipSharpException($"Bag caption {j} does not fit its own image (a bag-builder bug).");
            t2i += 1.0 / scenes.Count(s => captions[j].Matches(s));
            i2t += 1.0 / captions.Count(c => c.Matches(scenes[j]));
        }
        return (t2i / scenes.Count, i2t / scenes.Count);
    }

    // P(none of the t own captions among K drawn without replacement from M fitting ones) = C(M−t, K)/C(M, K); when
    // K ≥ M every fitting caption is ranked within K and the miss probability is 0.
    private static double MissProbability(int m, int t, int k)
    {
        double miss = 1;
        for (var i = 0; i < k; i++)
        {
            if (m - t - i <= 0) return 0;
            miss *= (double)(m - t - i) / (m - i);
        }
        return miss;
    }
}

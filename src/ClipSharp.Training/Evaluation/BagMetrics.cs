using System.Text.Json;

namespace ClipSharp.Evaluation;

/// <summary>
/// Accuracies over a group of bag queries (fractions in [0, 1]). TextToImage: a caption's own image scores strictly
/// above every other image of its bag; ImageToText: an image's own caption scores strictly above the bag's other
/// captions; CaptionSelfRetrieval: the same as TextToImage with the model's generated caption of the image as the
/// query (null for models without a captioner); Chance: mean of 1 / bag size over the queries.
/// </summary>
public sealed record BagScore(int Bags, int Queries, double TextToImage, double ImageToText, double? CaptionSelfRetrieval, double Chance);

/// <summary>Bag results overall and per attribute type, plus the generated captions (empty without a captioner).</summary>
public sealed record BagMetrics(BagScore Overall, IReadOnlyDictionary<string, BagScore> PerAttribute, IReadOnlyList<string> GeneratedCaptions)
{
    /// <summary>Flat metric names for <see cref="BenchmarkResult"/>: "text_to_image_acc", "colour/text_to_image_acc", ...</summary>
    public IReadOnlyDictionary<string, double> ToBenchmarkMetrics()
    {
        var d = new SortedDictionary<string, double>(StringComparer.Ordinal);
        void Add(string prefix, BagScore s)
        {
            d[prefix + "text_to_image_acc"] = s.TextToImage;
            d[prefix + "image_to_text_acc"] = s.ImageToText;
            if (s.CaptionSelfRetrieval is { } c) d[prefix + "caption_self_retrieval_acc"] = c;
            d[prefix + "chance"] = s.Chance;
            d[prefix + "query_count"] = s.Queries;
        }
        Add("", Overall);
        foreach (var (a, s) in PerAttribute) Add(AttributeName(a) + "/", s);
        return d;
    }

    /// <summary>
    /// Flat names for a training run's metrics log: "bag_accuracy" (text→image within the bag), "bag_image_to_text",
    /// "bag_caption_self_retrieval" (CLIPS only), "bag_chance", and each of them per attribute as "bag_accuracy/colour".
    /// </summary>
    public IReadOnlyDictionary<string, double> ToDictionary()
    {
        var d = new SortedDictionary<string, double>(StringComparer.Ordinal);
        void Add(string suffix, BagScore s)
        {
            d["bag_accuracy" + suffix] = s.TextToImage;
            d["bag_image_to_text" + suffix] = s.ImageToText;
            if (s.CaptionSelfRetrieval is { } c) d["bag_caption_self_retrieval" + suffix] = c;
            d["bag_chance" + suffix] = s.Chance;
        }
        Add("", Overall);
        foreach (var (a, s) in PerAttribute) Add("/" + AttributeName(a), s);
        return d;
    }

    private static string AttributeName(string a) => JsonNamingPolicy.SnakeCaseLower.ConvertName(a);
}

using ClipSharp.Encoders;
using ClipSharp.Data.Images;
using ClipSharp.Modeling;
using ClipSharp.Text;
using static TorchSharp.torch;

namespace ClipSharp.Evaluation;

/// <summary>Zero-shot image↔text retrieval: encode every image and caption (batched, normalized), then rank in blocks.</summary>
public static class RetrievalEvaluator
{
    /// <summary>R@K both ways for <paramref name="data"/>; the model is put in eval mode.</summary>
    public static RetrievalMetrics Evaluate(ContrastiveModel model, ITextTokenizer tokenizer, EvalTransform transform,
        RetrievalDataset data, RetrievalOptions? options = null, Action<string>? log = null)
    {
        options ??= new RetrievalOptions();
        model.eval();
        var device = options.Device ?? BatchEncoder.DeviceOf(model);
        using var images = BatchEncoder.EncodeImageFiles(model, transform, data.ImagePaths, options.BatchSize, device,
            log is null ? null : (i, n) => log($"images {i}/{n}"));
        using var texts = BatchEncoder.EncodeTexts(model, tokenizer, data.Captions, options.BatchSize * 4, device,
            log is null ? null : (i, n) => log($"captions {i}/{n}"));
        using var img = images.to(device);
        using var txt = texts.to(device);
        return RetrievalScorer.Score(img, txt, data.CaptionImage, options.Ks, options.BlockSize);
    }
}

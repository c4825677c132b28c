using ClipSharp.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace ClipSharp.Evaluation;

/// <summary>
/// Ranks from embeddings, in blocks of query rows so that memory is BlockSize × candidates (5k images × 25k captions
/// never needs the 125M-entry matrix). The standard rule: a caption's rank is the number of images scored strictly
/// above its own image; an image's rank is the number of captions scored strictly above its best-scored caption.
/// </summary>
public static class RetrievalScorer
{
    /// <summary>
    /// images (N, E), texts (M, E) (normalized; any device), captionImage[m] = image of caption m →
    /// (image ranks (N; -1 for an image without captions, not counted), caption ranks (M)).
    /// </summary>
    public static (int[] ImageRanks, int[] TextRanks) Ranks(Tensor images, Tensor texts, IReadOnlyList<int> captionImage, int blockSize = 1024)
    {
        long n = images.shape[0], m = texts.shape[0];
        if (captionImage.Count != m) throw new ClipSharpException($"{m} caption embeddings but {captionImage.Count} caption→image entries.");
        if (blockSize <= 0) throw new ClipSharpException($"Similarity block size must be positive, not {blockSize}.");
        if (captionImage.Any(i => i < 0 || i >= n)) throw new ClipSharpException($"A caption points to an image outside 0..{n - 1}.");
        using var _ = no_grad();
        var owner = torch.tensor(captionImage.Select(i => (long)i).ToArray(), device: images.device);  // (M)
        var textRanks = new int[m];
        for (long from = 0; from < m; from += blockSize)
        {
            using var scope = NewDisposeScope();
            long to = Math.Min(m, from + blockSize);
            var sim = texts[(int)from..(int)to].matmul(images.t());                   // (b, N)
            var own = sim.gather(1, owner[(int)from..(int)to].unsqueeze(1));            // (b, 1) score of its image
            var rank = sim.gt(own).sum(1).to(ScalarType.Int32).cpu().data<int>().ToArray();
            rank.CopyTo(textRanks, (int)from);
        }
        var imageRanks = new int[n];
        for (long from = 0; from < n; from += blockSize)
        {
            using var scope = NewDisposeScope();
            long to = Math.Min(n, from + blockSize);
            var sim = images[(int)from..(int)to].matmul(texts.t());                    // (b, M)
            using var start = from.ToScalar();
            using var stop = to.ToScalar();
            var ids = torch.arange(start, stop, Scalars.One, ScalarType.Int64, images.device).unsqueeze(1);  // (b, 1)
            var positive = owner.unsqueeze(0).eq(ids);                                 // (b, M)
            var best = sim.masked_fill(positive.logical_not(), Scalars.NegativeInfinity).max(1, keepdim: true).values;  // (b, 1)
            var rank = sim.gt(best).sum(1).to(ScalarType.Int32);
            rank = torch.where(positive.any(1), rank, torch.full_like(rank, Scalars.Of(-1L)));
            rank.cpu().data<int>().ToArray().CopyTo(imageRanks, (int)from);
        }
        return (imageRanks, textRanks);
    }

    /// <summary>Ranks → recall@K (images without captions are left out of image→text).</summary>
    public static RetrievalMetrics Score(Tensor images, Tensor texts, IReadOnlyList<int> captionImage, IReadOnlyList<int> ks, int blockSize = 1024)
    {
        var (ir, tr) = Ranks(images, texts, captionImage, blockSize);
        return RetrievalMetrics.FromRanks(ir.Where(r => r >= 0).ToArray(), tr, ks);
    }
}

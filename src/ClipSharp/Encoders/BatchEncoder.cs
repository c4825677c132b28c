using ClipSharp.Core;
using ClipSharp.Data.Images;
using ClipSharp.Modeling;
using ClipSharp.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace ClipSharp.Encoders;

/// <summary>
/// Batched, normalized embeddings of many images or texts (the loop every evaluator and the facade share): one
/// dispose scope per batch, images decoded and transformed in parallel on the CPU, features returned as one (N, E)
/// float32 CPU tensor the caller owns. The model is expected in eval mode; gradients are off inside.
/// </summary>
public static class BatchEncoder
{
    /// <summary>Image files → (N, E) L2-normalized features. An unreadable file is an error naming it.</summary>
    public static Tensor EncodeImageFiles(ContrastiveModel model, EvalTransform transform, IReadOnlyList<string> paths,
        int batchSize = 64, Device? device = null, Action<int, int>? progress = null)
    {
        device ??= DeviceOf(model);
        return EncodeChunks(paths.Count, batchSize, progress, (from, count) =>
        {
            var chw = new Tensor[count];
            try
            {
                Parallel.For(0, count, i =>
                {
                    try { chw[i] = transform.Apply(paths[from + i]); }
                    catch (Exception e) when (e is not ClipSharpException)
                    {
                        throw new ClipSharpException($"{paths[from + i]}: cannot read the image ({e.Message}).", e);
                    }
                });
            }
            catch (AggregateException e) when (e.InnerExceptions.FirstOrDefault() is ClipSharpException first) { throw first; }
            var batch = torch.stack(chw).to(device);
            return model.EncodeImage(batch, normalize: true);
        });
    }

    /// <summary>Preprocessed images (N, 3, H, W) → (N, E) L2-normalized features.</summary>
    public static Tensor EncodeImageTensor(ContrastiveModel model, Tensor images, int batchSize = 64, Device? device = null)
    {
        device ??= DeviceOf(model);
        return EncodeChunks((int)images.shape[0], batchSize, null,
            (from, count) => model.EncodeImage(images[from..(from + count)].to(device), normalize: true));
    }

    /// <summary>Texts → (N, E) L2-normalized features (tokenized by <paramref name="tokenizer"/>).</summary>
    public static Tensor EncodeTexts(ContrastiveModel model, ITextTokenizer tokenizer, IReadOnlyList<string> texts,
        int batchSize = 256, Device? device = null, Action<int, int>? progress = null)
    {
        device ??= DeviceOf(model);
        if (tokenizer.ContextLength != model.ContextLength)
            throw new ClipSharpException($"The tokenizer makes rows of {tokenizer.ContextLength} ids but the model expects {model.ContextLength}.");
        return EncodeChunks(texts.Count, batchSize, progress, (from, count) =>
        {
            var rows = tokenizer.EncodeBatch(texts.Skip(from).Take(count).ToList());
            return model.EncodeText(TokenRows.ToTensor(rows, device), normalize: true);
        });
    }

    /// <summary>The device of the model's first parameter (CPU for a model without parameters).</summary>
    public static Device DeviceOf(nn.Module model) => model.parameters().FirstOrDefault()?.device ?? CPU;

    // Runs encode(from, count) per batch under no_grad and one dispose scope each; concatenates on the CPU.
    private static Tensor EncodeChunks(int n, int batchSize, Action<int, int>? progress, Func<int, int, Tensor> encode)
    {
        if (batchSize <= 0) throw new ClipSharpException($"Batch size must be positive, not {batchSize}.");
        if (n == 0) throw new ClipSharpException("Nothing to encode (an empty list).");
        using var _ = no_grad();
        var parts = new List<Tensor>();
        for (int from = 0; from < n; from += batchSize)
        {
            int count = Math.Min(batchSize, n - from);
            using (var scope = NewDisposeScope())
                parts.Add(encode(from, count).to(ScalarType.Float32).cpu().MoveToOuterDisposeScope());
            progress?.Invoke(from + count, n);
        }
        var all = torch.cat(parts, 0);
        foreach (var p in parts) p.Dispose();
        return all;
    }
}

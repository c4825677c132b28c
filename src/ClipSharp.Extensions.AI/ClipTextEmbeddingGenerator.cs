using ClipSharp.Inference;
using Microsoft.Extensions.AI;

namespace ClipSharp.Extensions.AI;

/// <summary>
/// <see cref="IEmbeddingGenerator{TInput, TEmbedding}"/> for texts: each string becomes the CLIP text tower's
/// L2-normalised embedding (tokenized and truncated to the model's context length as the model was trained).
/// </summary>
public sealed class ClipTextEmbeddingGenerator : ClipEmbeddingGenerator<string>
{
    /// <summary>Generates text embeddings with <paramref name="encoder"/>; disposes it on <c>Dispose</c> only when <paramref name="ownsEncoder"/>.</summary>
    public ClipTextEmbeddingGenerator(IClipEncoder encoder, ClipEmbeddingOptions? options = null, bool ownsEncoder = false)
        : base(encoder, options, ownsEncoder) { }

    /// <inheritdoc />
    protected override float[][] Encode(IReadOnlyList<string> chunk, int offset)
    {
        for (int i = 0; i < chunk.Count; i++)
            if (chunk[i] is null) throw new ArgumentException($"Input {offset + i} is null; every text must be a string (it may be empty).");
        return Encoder.EncodeTexts(chunk);
    }
}

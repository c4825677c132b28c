using ClipSharp.Core;
using ClipSharp.Inference;
using Microsoft.Extensions.AI;

namespace ClipSharp.Extensions.AI;

/// <summary>
/// <see cref="IEmbeddingGenerator{TInput, TEmbedding}"/> for images: each <see cref="DataContent"/> holding an encoded
/// image (media type <c>image/*</c> or <c>application/octet-stream</c>: JPEG, PNG, WebP, GIF, ... bytes or a data URI)
/// becomes the CLIP image tower's L2-normalised embedding, in the same space as <see cref="ClipTextEmbeddingGenerator"/>'s.
/// </summary>
public sealed class ClipImageEmbeddingGenerator : ClipEmbeddingGenerator<DataContent>
{
    /// <summary>Generates image embeddings with <paramref name="encoder"/>; disposes it on <c>Dispose</c> only when <paramref name="ownsEncoder"/>.</summary>
    public ClipImageEmbeddingGenerator(IClipEncoder encoder, ClipEmbeddingOptions? options = null, bool ownsEncoder = false)
        : base(encoder, options, ownsEncoder) { }

    /// <summary>Embeds encoded images given as bytes (a convenience over <see cref="DataContent"/>).</summary>
    public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<byte[]> images, CancellationToken cancellationToken = default) =>
        GenerateAsync(images.Select(b => new DataContent(b, "application/octet-stream")), null, cancellationToken);

    /// <inheritdoc />
    protected override float[][] Encode(IReadOnlyList<DataContent> chunk, int offset)
    {
        var bytes = new byte[chunk.Count][];
        for (int i = 0; i < chunk.Count; i++)
        {
            var c = chunk[i] ?? throw new ArgumentException($"Input {offset + i} is null; every input must be a DataContent holding an image.");
            if (!c.HasTopLevelMediaType("image") && c.MediaType != "application/octet-stream")
                throw new ArgumentException($"Input {offset + i} has media type '{c.MediaType}', not an image (image/* or application/octet-stream).");
            bytes[i] = c.Data.ToArray();
        }
        try { return Encoder.EncodeImages(bytes); }
        catch (ClipSharpException e) when (offset > 0)
        {
            throw new ClipSharpException($"In the chunk starting at input {offset}: {e.Message}", e);
        }
    }
}

using ClipSharp.Core;
using ClipSharp.Inference;
using Microsoft.Extensions.AI;

namespace ClipSharp.Extensions.AI;

/// <summary>
/// What the text and the image generators share: chunking into <see cref="ClipEmbeddingOptions.MaxBatchSize"/> inputs
/// (cancellation is checked between chunks; each chunk runs on the thread pool so async callers are not blocked),
/// the metadata (provider "clipsharp", model id = the encoder's name, dimensions = its embedding length) and the checks
/// of <see cref="EmbeddingGenerationOptions"/> (a CLIP embedding has one fixed length and one model).
/// </summary>
/// <typeparam name="TInput">What is embedded: a text or an image.</typeparam>
public abstract class ClipEmbeddingGenerator<TInput> : IEmbeddingGenerator<TInput, Embedding<float>>
{
    /// <summary>The provider name in <see cref="Metadata"/>.</summary>
    public const string ProviderName = "clipsharp";

    private readonly bool _ownsEncoder;

    /// <summary>Wraps <paramref name="encoder"/>; disposes it on <see cref="Dispose"/> only when <paramref name="ownsEncoder"/>.</summary>
    protected ClipEmbeddingGenerator(IClipEncoder encoder, ClipEmbeddingOptions? options, bool ownsEncoder)
    {
        ArgumentNullException.ThrowIfNull(encoder);
        Options = options ?? new ClipEmbeddingOptions();
        if (Options.MaxBatchSize <= 0)
            throw new ArgumentException($"ClipEmbeddingOptions.MaxBatchSize must be positive, not {Options.MaxBatchSize}.", nameof(options));
        Encoder = encoder;
        _ownsEncoder = ownsEncoder;
        Metadata = new EmbeddingGeneratorMetadata(ProviderName, null, encoder.Name, encoder.EmbeddingDim);
    }

    /// <summary>The encoder that computes the embeddings.</summary>
    public IClipEncoder Encoder { get; }

    /// <summary>The settings it was created with.</summary>
    public ClipEmbeddingOptions Options { get; }

    /// <summary>Provider, model id and embedding length.</summary>
    public EmbeddingGeneratorMetadata Metadata { get; }

    /// <inheritdoc />
    public async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<TInput> values,
        EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(values);
        CheckOptions(options);
        var inputs = values as IReadOnlyList<TInput> ?? values.ToList();
        var result = new GeneratedEmbeddings<Embedding<float>>(inputs.Count);
        for (int start = 0; start < inputs.Count; start += Options.MaxBatchSize)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int n = Math.Min(Options.MaxBatchSize, inputs.Count - start);
            var chunk = Slice(inputs, start, n);
            int offset = start;
            var rows = await Task.Run(() => EncodeChunk(chunk, offset), cancellationToken).ConfigureAwait(false);
            var created = DateTimeOffset.UtcNow;
            foreach (var row in rows)
                result.Add(new Embedding<float>(row) { ModelId = Encoder.Name, CreatedAt = created });
        }
        return result;
    }

    /// <summary>Embeds one chunk; <paramref name="offset"/> is the index of its first input, for error messages.</summary>
    protected abstract float[][] Encode(IReadOnlyList<TInput> chunk, int offset);

    /// <inheritdoc />
    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        if (serviceKey is not null) return null;
        if (serviceType == typeof(EmbeddingGeneratorMetadata)) return Metadata;
        if (serviceType.IsInstanceOfType(Encoder)) return Encoder;
        return serviceType.IsInstanceOfType(this) ? this : null;
    }

    /// <summary>Disposes the encoder when this generator owns it.</summary>
    public void Dispose()
    {
        if (_ownsEncoder && Encoder is IDisposable d) d.Dispose();
        GC.SuppressFinalize(this);
    }

    private float[][] EncodeChunk(IReadOnlyList<TInput> chunk, int offset)
    {
        var rows = Encode(chunk, offset);
        if (rows.Length != chunk.Count)
            throw new ClipSharpException($"Encoder '{Encoder.Name}' returned {rows.Length} embeddings for {chunk.Count} inputs.");
        return rows;
    }

    private void CheckOptions(EmbeddingGenerationOptions? options)
    {
        if (options?.Dimensions is { } d && d != Encoder.EmbeddingDim)
            throw new ArgumentException(
                $"EmbeddingGenerationOptions.Dimensions is {d}, but model '{Encoder.Name}' makes {Encoder.EmbeddingDim}-dimensional embeddings (CLIP embeddings cannot be shortened).",
                nameof(options));
        if (options?.ModelId is { } id && !string.Equals(id, Encoder.Name, StringComparison.Ordinal))
            throw new ArgumentException($"EmbeddingGenerationOptions.ModelId is '{id}', but this generator serves model '{Encoder.Name}'.", nameof(options));
    }

    private static IReadOnlyList<TInput> Slice(IReadOnlyList<TInput> inputs, int start, int count)
    {
        if (start == 0 && count == inputs.Count) return inputs;
        var chunk = new TInput[count];
        for (int i = 0; i < count; i++) chunk[i] = inputs[start + i];
        return chunk;
    }
}

using System.Numerics.Tensors;
using ClipSharp.Extensions.AI;
using ClipSharp.Inference;
using ClipSharp.Tests.Evaluation;
using ClipSharp.Tests.Inference;
using ClipSharp.Tests.Support;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.VectorData;

namespace ClipSharp.Tests.ExtensionsAI;

/// <summary>
/// The README's Microsoft.Extensions.VectorData flow, without a store: the record type a store would hold (key, data,
/// a 64-dim cosine vector of the image), filled by the image generator and searched with a text query vector; and the
/// generator set as a collection's default embedding generator (the types fit, no ClipSharp-specific glue).
/// </summary>
public class VectorDataSampleTests
{
    /// <summary>What a VectorData store would hold per photo (the README's record).</summary>
    public sealed class Photo
    {
        [VectorStoreKey] public string Id { get; set; } = "";
        [VectorStoreData] public string Path { get; set; } = "";
        [VectorStoreVector(64, DistanceFunction = DistanceFunction.CosineSimilarity)] public ReadOnlyMemory<float> Embedding { get; set; }
    }

    [Fact]
    public async Task RecordsFilledByTheGeneratorAreSearchableByText()
    {
        using var clip = ClipPipeline.Load(ClipPipelineTests.RunDirectory().Dir);
        using IEmbeddingGenerator<DataContent, Embedding<float>> images = new ClipImageEmbeddingGenerator(clip);
        using IEmbeddingGenerator<string, Embedding<float>> texts = new ClipTextEmbeddingGenerator(clip);
        var dir = TestPaths.NewTempDir("vd");
        var files = Enumerable.Range(0, 3).Select(i => { var p = System.IO.Path.Combine(dir, $"{i}.png"); EvalTestModels.WriteImage(p, 300 + i); return p; }).ToList();
        var embeddings = await images.GenerateAsync(files.Select(f => new DataContent(File.ReadAllBytes(f), "image/png")));
        var photos = files.Zip(embeddings, (f, e) => new Photo { Id = System.IO.Path.GetFileName(f), Path = f, Embedding = e.Vector }).ToList();
        var query = await texts.GenerateVectorAsync("a red circle");
        var best = photos.MaxBy(p => TensorPrimitives.CosineSimilarity(p.Embedding.Span, query.Span))!;
        var want = clip.EncodeImageFiles([best.Path])[0];   // batch of 1 vs 3: equal to float rounding
        Assert.All(want.Zip(best.Embedding.ToArray()), p => Assert.Equal(p.First, p.Second, 1e-5f));
        var definition = new VectorStoreCollectionDefinition { EmbeddingGenerator = texts };
        Assert.Same(texts, definition.EmbeddingGenerator);
    }
}

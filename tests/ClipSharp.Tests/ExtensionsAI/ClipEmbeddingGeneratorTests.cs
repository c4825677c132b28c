using ClipSharp.Core;
using ClipSharp.Extensions.AI;
using ClipSharp.Inference;
using ClipSharp.Tests.Evaluation;
using ClipSharp.Tests.Inference;
using ClipSharp.Tests.Support;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace ClipSharp.Tests.ExtensionsAI;

/// <summary>
/// The Microsoft.Extensions.AI generators over the TorchSharp facade on a tiny random CLIPS run directory: the vectors
/// are the pipeline's own, in input order across chunks; metadata, options checks, cancellation and DI registration.
/// </summary>
public sealed class ClipEmbeddingGeneratorTests : IDisposable
{
    private readonly ClipPipeline _pipe = ClipPipeline.Load(ClipPipelineTests.RunDirectory().Dir, new ClipPipelineOptions { BatchSize = 2 });

    public void Dispose() => _pipe.Dispose();

    private static List<byte[]> Images(int n)
    {
        var dir = TestPaths.NewTempDir("meai");
        return Enumerable.Range(0, n).Select(i =>
        {
            var p = Path.Combine(dir, $"{i}.{(i % 2 == 0 ? "png" : "jpg")}");
            EvalTestModels.WriteImage(p, 200 + i);
            return File.ReadAllBytes(p);
        }).ToList();
    }

    private static void AssertRows(float[][] want, GeneratedEmbeddings<Embedding<float>> got, string model)
    {
        Assert.Equal(want.Length, got.Count);
        for (int i = 0; i < want.Length; i++)
        {
            var row = got[i].Vector.ToArray();   // chunking changes the batch shape: equal to float rounding
            Assert.Equal(want[i].Length, row.Length);
            for (int j = 0; j < row.Length; j++) Assert.Equal(want[i][j], row[j], 1e-5f);
            Assert.Equal(model, got[i].ModelId);
        }
    }

    [Fact]
    public async Task TextEmbeddingsAreThePipelinesOwnAcrossChunks()
    {
        using var gen = new ClipTextEmbeddingGenerator(_pipe, new ClipEmbeddingOptions { MaxBatchSize = 2 });
        string[] texts = ["a red circle", "two blue squares", "", "a green star on the left", "three"];
        AssertRows(_pipe.EncodeTexts(texts), await gen.GenerateAsync(texts), _pipe.Name);
        Assert.Empty(await gen.GenerateAsync(Array.Empty<string>()));
        var meta = gen.GetService<EmbeddingGeneratorMetadata>()!;
        Assert.Equal((ClipEmbeddingGenerator<string>.ProviderName, _pipe.Name, 64), (meta.ProviderName, meta.DefaultModelId, meta.DefaultModelDimensions));
        Assert.Same(_pipe, gen.GetService<IClipEncoder>());
        Assert.Equal(64, (await gen.GenerateVectorAsync("a cat")).Length);
    }

    [Fact]
    public async Task ImageEmbeddingsAreThePipelinesOwnAcrossChunks()
    {
        using var gen = new ClipImageEmbeddingGenerator(_pipe, new ClipEmbeddingOptions { MaxBatchSize = 2 });
        var images = Images(5);
        var want = _pipe.EncodeImages(images);
        var contents = images.Select((b, i) => new DataContent(b, i % 2 == 0 ? "image/png" : "image/jpeg")).ToList();
        AssertRows(want, await gen.GenerateAsync(contents), _pipe.Name);
        AssertRows(want, await gen.GenerateAsync(images), _pipe.Name);
    }

    [Fact]
    public async Task BadInputsAndOptionsGetClearErrors()
    {
        using var img = new ClipImageEmbeddingGenerator(_pipe, new ClipEmbeddingOptions { MaxBatchSize = 2 });
        var images = Images(3);
        var text = new DataContent("hello"u8.ToArray(), "text/plain");
        var e = await Assert.ThrowsAsync<ArgumentException>(() => img.GenerateAsync([new DataContent(images[0], "image/png"), text]));
        Assert.Contains("Input 1 has media type 'text/plain'", e.Message);
        var bad = new DataContent(new byte[] { 1, 2, 3, 4 }, "image/png");
        var d = await Assert.ThrowsAsync<ClipSharpException>(() => img.GenerateAsync([new DataContent(images[0], "image/png"), new DataContent(images[1], "image/png"), bad]));
        Assert.Contains("input 2", d.Message);
        using var txt = new ClipTextEmbeddingGenerator(_pipe);
        var dims = await Assert.ThrowsAsync<ArgumentException>(() => txt.GenerateAsync(["a"], new EmbeddingGenerationOptions { Dimensions = 32 }));
        Assert.Contains("64-dimensional", dims.Message);
        var model = await Assert.ThrowsAsync<ArgumentException>(() => txt.GenerateAsync(["a"], new EmbeddingGenerationOptions { ModelId = "other" }));
        Assert.Contains("'other'", model.Message);
        Assert.Throws<ArgumentException>(() => new ClipTextEmbeddingGenerator(_pipe, new ClipEmbeddingOptions { MaxBatchSize = 0 }));
    }

    [Fact]
    public async Task CancellationStopsBetweenChunks()
    {
        using var gen = new ClipTextEmbeddingGenerator(_pipe, new ClipEmbeddingOptions { MaxBatchSize = 1 });
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => gen.GenerateAsync(["a", "b"], cancellationToken: cts.Token));
    }

    [Fact]
    public async Task DiRegistersBothGeneratorsOverOneEncoder()
    {
        var services = new ServiceCollection();
        services.AddClipSharpEmbeddings(_ => ClipPipeline.Load(ClipPipelineTests.RunDirectory().Dir), o => o.MaxBatchSize = 3);
        IClipEncoder encoder;
        await using (var sp = services.BuildServiceProvider())
        {
            var text = sp.GetRequiredService<IEmbeddingGenerator<string, Embedding<float>>>();
            var image = sp.GetRequiredService<IEmbeddingGenerator<DataContent, Embedding<float>>>();
            encoder = sp.GetRequiredService<IClipEncoder>();
            Assert.Same(encoder, text.GetService<IClipEncoder>());
            Assert.Same(encoder, image.GetService<IClipEncoder>());
            Assert.Equal(3, ((ClipTextEmbeddingGenerator)text).Options.MaxBatchSize);
            AssertRows(encoder.EncodeTexts(["a cat"]), await text.GenerateAsync(["a cat"]), encoder.Name);
        }
        Assert.Throws<ObjectDisposedException>(() => encoder.EncodeTexts(["a cat"]));   // the container owned it
        var shared = new ServiceCollection().AddClipSharpEmbeddings(_pipe);
        await using (var sp = shared.BuildServiceProvider())
            Assert.Same(_pipe, sp.GetRequiredService<IEmbeddingGenerator<string, Embedding<float>>>().GetService<IClipEncoder>());
        Assert.Equal(64, _pipe.EncodeTexts(["still alive"])[0].Length);   // a handed-in encoder stays the caller's
    }

    [Fact]
    public async Task KeyedRegistrationLeavesTheUnkeyedGeneratorsAlone()
    {
        var services = new ServiceCollection();
        services.AddClipSharpEmbeddings(_pipe);
        services.AddKeyedClipSharpEmbeddings("second", _ => ClipPipeline.Load(ClipPipelineTests.RunDirectory(seed: 9).Dir), o => o.MaxBatchSize = 5);
        await using var sp = services.BuildServiceProvider();
        var plain = sp.GetRequiredService<IEmbeddingGenerator<string, Embedding<float>>>();
        var keyed = sp.GetRequiredKeyedService<IEmbeddingGenerator<string, Embedding<float>>>("second");
        Assert.Same(_pipe, plain.GetService<IClipEncoder>());
        Assert.NotSame(_pipe, keyed.GetService<IClipEncoder>());
        Assert.Same(sp.GetRequiredKeyedService<IClipEncoder>("second"), sp.GetRequiredKeyedService<IEmbeddingGenerator<DataContent, Embedding<float>>>("second").GetService<IClipEncoder>());
        Assert.Equal(5, ((ClipTextEmbeddingGenerator)keyed).Options.MaxBatchSize);
        Assert.Equal(64, ((ClipTextEmbeddingGenerator)plain).Options.MaxBatchSize);
        Assert.NotEqual((await plain.GenerateVectorAsync("a cat")).ToArray(), (await keyed.GenerateVectorAsync("a cat")).ToArray());
    }
}

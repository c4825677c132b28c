using ClipSharp.Inference;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace ClipSharp.Extensions.AI;

/// <summary>
/// Registers a CLIP model's text and image embedding generators in a service collection:
/// <c>IEmbeddingGenerator&lt;string, Embedding&lt;float&gt;&gt;</c> (<see cref="ClipTextEmbeddingGenerator"/>) and
/// <c>IEmbeddingGenerator&lt;DataContent, Embedding&lt;float&gt;&gt;</c> (<see cref="ClipImageEmbeddingGenerator"/>), both
/// singletons over one <see cref="IClipEncoder"/> singleton, which the container disposes with itself.
/// </summary>
public static class ClipSharpServiceCollectionExtensions
{
    /// <summary>
    /// Registers the embedding generators over the encoder <paramref name="encoderFactory"/> makes on first use, e.g.
    /// <c>services.AddClipSharpEmbeddings(_ =&gt; ClipPipeline.Load("runs/my-model"))</c> (TorchSharp) or the ONNX Runtime
    /// facade over an exported folder. <paramref name="configure"/> sets <see cref="ClipEmbeddingOptions"/> (options pattern:
    /// <c>services.Configure&lt;ClipEmbeddingOptions&gt;</c> works too).
    /// </summary>
    public static IServiceCollection AddClipSharpEmbeddings(this IServiceCollection services,
        Func<IServiceProvider, IClipEncoder> encoderFactory, Action<ClipEmbeddingOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(encoderFactory);
        var options = services.AddOptions<ClipEmbeddingOptions>();
        if (configure is not null) options.Configure(configure);
        services.TryAddSingleton(encoderFactory);
        services.TryAddSingleton(sp => new ClipTextEmbeddingGenerator(sp.GetRequiredService<IClipEncoder>(), sp.GetRequiredService<IOptions<ClipEmbeddingOptions>>().Value));
        services.TryAddSingleton(sp => new ClipImageEmbeddingGenerator(sp.GetRequiredService<IClipEncoder>(), sp.GetRequiredService<IOptions<ClipEmbeddingOptions>>().Value));
        services.TryAddSingleton<IEmbeddingGenerator<string, Embedding<float>>>(sp => sp.GetRequiredService<ClipTextEmbeddingGenerator>());
        services.TryAddSingleton<IEmbeddingGenerator<DataContent, Embedding<float>>>(sp => sp.GetRequiredService<ClipImageEmbeddingGenerator>());
        return services;
    }

    /// <summary>
    /// Keyed registration, for an app that holds several embedding models (e.g. a CLIP model beside a text-only one that
    /// already owns the unkeyed <c>IEmbeddingGenerator&lt;string, Embedding&lt;float&gt;&gt;</c>): the encoder and both
    /// generators are keyed singletons under <paramref name="serviceKey"/>
    /// (<c>[FromKeyedServices("clip")] IEmbeddingGenerator&lt;string, Embedding&lt;float&gt;&gt;</c>), configured by the named
    /// options <c>serviceKey.ToString()</c>.
    /// </summary>
    public static IServiceCollection AddKeyedClipSharpEmbeddings(this IServiceCollection services, object serviceKey,
        Func<IServiceProvider, IClipEncoder> encoderFactory, Action<ClipEmbeddingOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(serviceKey);
        ArgumentNullException.ThrowIfNull(encoderFactory);
        var name = serviceKey.ToString() ?? "";
        var options = services.AddOptions<ClipEmbeddingOptions>(name);
        if (configure is not null) options.Configure(configure);
        ClipEmbeddingOptions Named(IServiceProvider sp) => sp.GetRequiredService<IOptionsMonitor<ClipEmbeddingOptions>>().Get(name);
        services.TryAddKeyedSingleton(serviceKey, (sp, _) => encoderFactory(sp));
        services.TryAddKeyedSingleton(serviceKey, (sp, k) => new ClipTextEmbeddingGenerator(sp.GetRequiredKeyedService<IClipEncoder>(k), Named(sp)));
        services.TryAddKeyedSingleton(serviceKey, (sp, k) => new ClipImageEmbeddingGenerator(sp.GetRequiredKeyedService<IClipEncoder>(k), Named(sp)));
        services.TryAddKeyedSingleton<IEmbeddingGenerator<string, Embedding<float>>>(serviceKey, (sp, k) => sp.GetRequiredKeyedService<ClipTextEmbeddingGenerator>(k));
        services.TryAddKeyedSingleton<IEmbeddingGenerator<DataContent, Embedding<float>>>(serviceKey, (sp, k) => sp.GetRequiredKeyedService<ClipImageEmbeddingGenerator>(k));
        return services;
    }

    /// <summary>
    /// Registers the embedding generators over an encoder that already exists. The container does not dispose an
    /// instance it was handed: the caller keeps ownership of <paramref name="encoder"/>.
    /// </summary>
    public static IServiceCollection AddClipSharpEmbeddings(this IServiceCollection services, IClipEncoder encoder,
        Action<ClipEmbeddingOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(encoder);
        services.TryAddSingleton(encoder);
        return services.AddClipSharpEmbeddings(sp => sp.GetRequiredService<IClipEncoder>(), configure);
    }
}

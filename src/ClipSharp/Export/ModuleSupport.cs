using ClipSharp.Core;
using ClipSharp.Modeling;
using ClipSharp.Modeling.Layers;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ClipSharp.Export;

/// <summary>
/// The module types an encoder graph is written from. A tower holding any other module fails the export with its
/// name and path, instead of writing a graph that silently skips it.
/// </summary>
internal static class ModuleSupport
{
    private static readonly HashSet<Type> Supported =
    [
        typeof(VisionTransformer), typeof(TextTransformer), typeof(AttentionalPooler),
        typeof(Modeling.Layers.Transformer), typeof(ResidualAttentionBlock), typeof(Attention), typeof(Mlp),
        typeof(Activation), typeof(LayerScale), typeof(PatchDropout),   // patch dropout is the identity in eval mode
        typeof(LayerNorm), typeof(Linear), typeof(Conv2d), typeof(Embedding), typeof(ModuleList<ResidualAttentionBlock>),
        typeof(ModifiedResNet), typeof(Bottleneck), typeof(AttentionPool2d), typeof(BatchNormLayer), typeof(AvgPool2d), typeof(Sequential),
    ];

    /// <summary>Throws when <paramref name="tower"/> or one of its submodules has no ONNX emitter.</summary>
    public static void Check(nn.Module tower, string path)
    {
        if (!Supported.Contains(tower.GetType())) throw Unsupported(tower, path);
        foreach (var (name, m) in tower.named_modules())
            if (!Supported.Contains(m.GetType())) throw Unsupported(m, $"{path}.{name}");
    }

    private static ClipSharpException Unsupported(nn.Module m, string path) =>
        new($"ONNX export: module {m.GetType().Name} at {path} has no ONNX emitter; supported: {string.Join(", ", Supported.Select(t => t.Name).Order())}.");
}

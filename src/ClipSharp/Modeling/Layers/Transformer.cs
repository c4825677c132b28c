using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ClipSharp.Modeling.Layers;

/// <summary>A stack of pre-LN blocks (`resblocks.{i}`).</summary>
public sealed class Transformer : nn.Module
{
    public readonly ModuleList<ResidualAttentionBlock> resblocks;

    public Transformer(BlockSpec spec, int layers) : base(nameof(Transformer))
    {
        NativeAllocator.EnsureTuned(); // every model has a Transformer: tune malloc before its tensors churn
        Core.MklCpuDispatch.Ensure(); // and let MKL take its AVX-512/AVX2 GEMMs on non-Intel CPUs before the first one runs
        resblocks = new ModuleList<ResidualAttentionBlock>();
        for (int i = 0; i < layers; i++) resblocks.Add(new ResidualAttentionBlock(spec));
        RegisterComponents();
    }

    /// <summary>Runs every block; <paramref name="observe"/> (optional) sees each block's output, for intermediates.</summary>
    public Tensor forward(Tensor x, Tensor? mask = null, bool causal = false, Action<int, Tensor>? observe = null)
    {
        for (int i = 0; i < resblocks.Count; i++)
        {
            x = resblocks[i].forward(x, null, mask, causal);
            observe?.Invoke(i, x);
        }
        return x;
    }
}

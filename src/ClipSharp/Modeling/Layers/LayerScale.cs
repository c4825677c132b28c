using ClipSharp.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace ClipSharp.Modeling.Layers;

/// <summary>Per-channel residual scale `x * gamma` (CaiT LayerScale; OpenCLIP `ls_init_value`).</summary>
public sealed class LayerScale : nn.Module<Tensor, Tensor>
{
    public readonly TorchSharp.Modules.Parameter gamma;

    public LayerScale(int width, double initValue) : base(nameof(LayerScale))
    {
        gamma = new TorchSharp.Modules.Parameter(torch.full(width, Scalars.Of(initValue)));
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => x * gamma;
}

using ClipSharp.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace ClipSharp.Modeling.Layers;

/// <summary>The MLP non-linearity: exact (erf) GELU, tanh-approximated GELU (CLIPS text), or QuickGELU (OpenAI CLIP).</summary>
public sealed class Activation : nn.Module<Tensor, Tensor>
{
    private readonly ActivationKind _kind;

    public Activation(ActivationKind kind) : base(kind.ToString()) => _kind = kind;

    /// <summary>Which activation this module computes.</summary>
    public ActivationKind Kind => _kind;

    public override Tensor forward(Tensor x) => _kind switch
    {
        ActivationKind.Gelu => nn.functional.gelu(x),
        ActivationKind.GeluTanh => nn.functional.gelu(x, TorchSharp.Modules.GELU.Approximate.tanh),
        ActivationKind.QuickGelu => x * torch.sigmoid(x.mul(Scalars.Of(1.702))), // x * sigmoid(1.702 x)
        _ => throw new ArgumentOutOfRangeException(nameof(_kind)),
    };
}

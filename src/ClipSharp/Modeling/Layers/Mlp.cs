using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ClipSharp.Modeling.Layers;

/// <summary>Transformer MLP: c_fc (W → H) → activation → c_proj (H → W). Field names are OpenCLIP's state-dict keys.</summary>
public sealed class Mlp : nn.Module<Tensor, Tensor>, IPrecisionAware
{
    public readonly Linear c_fc;
    public readonly Activation gelu;
    public readonly Linear c_proj;

    /// <summary>The dtype of c_fc, the activation and c_proj (see <see cref="PrecisionPolicy"/>).</summary>
    public PrecisionPolicy Precision { get; set; } = PrecisionPolicy.Native;

    public Mlp(int width, int hidden, ActivationKind activation) : base(nameof(Mlp))
    {
        c_fc = nn.Linear(width, hidden);
        gelu = new Activation(activation);
        c_proj = nn.Linear(hidden, width);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) =>
        Precision.Linear(gelu.forward(Precision.Linear(x, c_fc.weight!, c_fc.bias)), c_proj.weight!, c_proj.bias);
}

using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ClipSharp.Modeling.Layers;

/// <summary>Transformer MLP: c_fc (W → H) → activation → c_proj (H → W). Field names are OpenCLIP's state-dict keys.</summary>
public sealed class Mlp : nn.Module<Tensor, Tensor>
{
    public readonly Linear c_fc;
    public readonly Activation gelu;
    public readonly Linear c_proj;

    public Mlp(int width, int hidden, ActivationKind activation) : base(nameof(Mlp))
    {
        c_fc = nn.Linear(width, hidden);
        gelu = new Activation(activation);
        c_proj = nn.Linear(hidden, width);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => c_proj.forward(gelu.forward(c_fc.forward(x)));
}

using ClipSharp.Core;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ClipSharp.Modeling.Layers;

/// <summary>
/// OpenCLIP's ModifiedResNet bottleneck block (state-dict names conv1…bn3, downsample.0/1): 1×1 reduce, 3×3, an average
/// pool of the stride (instead of a strided convolution), 1×1 expand to 4 × planes; the shortcut average-pools and
/// projects when the shape changes. out = relu(bn3(conv3(pool(relu(bn2(conv2(relu(bn1(conv1 x))))))) + shortcut(x)).
/// </summary>
public sealed class Bottleneck : nn.Module<Tensor, Tensor>
{
    /// <summary>Output channels per plane.</summary>
    public const int Expansion = 4;

    public readonly Conv2d conv1, conv2, conv3;
    public readonly BatchNormLayer bn1, bn2, bn3;
    public readonly AvgPool2d? avgpool;
    public readonly Sequential? downsample;

    /// <summary>The block's downsampling factor (1 or 2).</summary>
    public int Stride { get; }

    public Bottleneck(int inplanes, int planes, int stride) : base(nameof(Bottleneck))
    {
        Stride = stride;
        conv1 = nn.Conv2d(inplanes, planes, 1, bias: false);
        bn1 = new BatchNormLayer(planes);
        conv2 = nn.Conv2d(planes, planes, 3, padding: 1, bias: false);
        bn2 = new BatchNormLayer(planes);
        if (stride > 1) avgpool = nn.AvgPool2d(stride);
        conv3 = nn.Conv2d(planes, planes * Expansion, 1, bias: false);
        bn3 = new BatchNormLayer(planes * Expansion);
        if (stride > 1 || inplanes != planes * Expansion)
            downsample = nn.Sequential(
                ("-1", nn.AvgPool2d(stride)),
                ("0", nn.Conv2d(inplanes, planes * Expansion, 1, bias: false)),
                ("1", new BatchNormLayer(planes * Expansion)));
        RegisterComponents();
    }

    /// <inheritdoc/>
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var y = nn.functional.relu(bn1.forward(conv1.forward(x)));
        y = nn.functional.relu(bn2.forward(conv2.forward(y)));
        if (avgpool is not null) y = avgpool.forward(y);
        y = bn3.forward(conv3.forward(y));
        var shortcut = downsample is null ? x : downsample.forward(x);
        return nn.functional.relu(y.add_(shortcut, Scalars.One)).MoveToOuterDisposeScope();
    }
}

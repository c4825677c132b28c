using ClipSharp.Modeling;
using ClipSharp.Modeling.Layers;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ClipSharp.Export;

/// <summary>
/// The ONNX nodes of a <see cref="ModifiedResNet"/> in eval mode: BatchNormalization with the running statistics,
/// AveragePool for the stem pool and the strided blocks, the attention pool's one query row, then L2 normalisation.
/// Kernel sizes, strides and paddings are the tower's own (3×3 padded convs, 1×1 projections).
/// </summary>
internal static class ResNetEmitters
{
    /// <summary>pixel (B, 3, H, W) float32 → image feature (B, E), normalised.</summary>
    public static string Vision(OnnxGraph g, string path, ModifiedResNet r, string pixels)
    {
        var x = Relu(g, Bn(g, $"{path}.bn1", r.bn1, Conv(g, $"{path}.conv1", r.conv1, pixels, stride: 2)));
        x = Relu(g, Bn(g, $"{path}.bn2", r.bn2, Conv(g, $"{path}.conv2", r.conv2, x)));
        x = Relu(g, Bn(g, $"{path}.bn3", r.bn3, Conv(g, $"{path}.conv3", r.conv3, x)));
        x = AvgPool(g, x, 2);
        foreach (var (name, stage) in new[] { ("layer1", r.layer1), ("layer2", r.layer2), ("layer3", r.layer3), ("layer4", r.layer4) })
            foreach (var (i, block) in stage.named_children())
                x = Bottleneck(g, $"{path}.{name}.{i}", (Bottleneck)block, x);
        return TowerEmitters.Normalize(g, AttentionPool(g, $"{path}.attnpool", r.attnpool, x));
    }

    private static string Bottleneck(OnnxGraph g, string path, Bottleneck b, string x)
    {
        var y = Relu(g, Bn(g, $"{path}.bn1", b.bn1, Conv(g, $"{path}.conv1", b.conv1, x)));
        y = Relu(g, Bn(g, $"{path}.bn2", b.bn2, Conv(g, $"{path}.conv2", b.conv2, y)));
        int stride = b.Stride;
        if (stride > 1) y = AvgPool(g, y, stride);
        y = Bn(g, $"{path}.bn3", b.bn3, Conv(g, $"{path}.conv3", b.conv3, y));
        var shortcut = x;
        if (b.downsample is { } d)
        {
            if (stride > 1) shortcut = AvgPool(g, shortcut, stride);
            var modules = d.named_children().ToDictionary(c => c.name, c => c.module);
            shortcut = Bn(g, $"{path}.downsample.1", (BatchNormLayer)modules["1"], Conv(g, $"{path}.downsample.0", (Conv2d)modules["0"], shortcut));
        }
        return Relu(g, g.Node("Add", [y, shortcut]));
    }

    // a bias-free convolution; 3×3 kernels are padded by 1 (the tower's "same" convolutions), 1×1 by 0
    private static string Conv(OnnxGraph g, string path, Conv2d c, string x, int stride = 1)
    {
        var w = c.weight!;
        long k = w.shape[2], pad = k / 2;
        return g.Node("Conv", [x, g.Weight($"{path}.weight", w, matrix: true)], null,
            Attr.Ints("kernel_shape", k, k), Attr.Ints("strides", stride, stride), Attr.Ints("pads", pad, pad, pad, pad));
    }

    private static string Bn(OnnxGraph g, string path, BatchNormLayer bn, string x) =>
        g.Node("BatchNormalization",
            [x, g.Weight($"{path}.weight", bn.weight!, matrix: false), g.Weight($"{path}.bias", bn.bias!, matrix: false),
             g.Weight($"{path}.running_mean", bn.running_mean, matrix: false), g.Weight($"{path}.running_var", bn.running_var, matrix: false)],
            null, Attr.Float("epsilon", (float)BatchNormLayer.Eps));

    private static string Relu(OnnxGraph g, string x) => g.Node("Relu", [x]);

    private static string AvgPool(OnnxGraph g, string x, long k) =>
        g.Node("AveragePool", [x], null, Attr.Ints("kernel_shape", k, k), Attr.Ints("strides", k, k));

    // (B, C, h, w) → tokens [mean; positions] + positional_embedding; the mean token's attention output through c_proj
    private static string AttentionPool(OnnxGraph g, string path, AttentionPool2d a, string x)
    {
        long c = a.q_proj.weight!.shape[0], heads = a.Heads, d = c / heads;
        var t = g.Transpose(g.Reshape(x, 0, 0, -1), 0, 2, 1);                                        // (B, HW, C)
        t = g.Node("Concat", [g.ReduceMean(t, [1], keepDims: true), t], null, Attr.Int("axis", 1));
        t = g.Node("Add", [t, g.Weight($"{path}.positional_embedding", a.positional_embedding, matrix: true)]);
        string Proj(Linear l, string name, string input) => LayerEmitters.Linear(g, $"{path}.{name}.weight", l.weight!, l.bias, $"{path}.{name}.bias", input);
        string Heads(string y) => g.Transpose(g.Reshape(y, 0, -1, heads, d), 0, 2, 1, 3);            // (B, h, n, d)
        var q = Heads(Proj(a.q_proj, "q_proj", g.Slice(t, 1, 0, 1)));
        var k = Heads(Proj(a.k_proj, "k_proj", t));
        var v = Heads(Proj(a.v_proj, "v_proj", t));
        var scores = g.Node("Mul", [g.Node("MatMul", [q, g.Transpose(k, 0, 1, 3, 2)]), g.Const("attnpool_scale", [(float)(1 / Math.Sqrt(d))])]);
        var o = g.Node("MatMul", [g.Node("Softmax", [scores], null, Attr.Int("axis", -1)), v]);          // (B, h, 1, d)
        o = g.Reshape(g.Transpose(o, 0, 2, 1, 3), 0, -1);                                              // (B, C)
        return Proj(a.c_proj, "c_proj", o);
    }
}

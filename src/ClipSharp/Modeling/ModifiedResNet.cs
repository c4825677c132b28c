using ClipSharp.Core;
using ClipSharp.Modeling.Layers;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ClipSharp.Modeling;

/// <summary>
/// OpenCLIP's ModifiedResNet (the image tower of OpenAI's RN50/RN101/RN50x4… models), with OpenCLIP state-dict names:
/// a three-convolution stem with an average pool instead of a max pool, four stages of <see cref="Bottleneck"/> blocks
/// that downsample by average pooling (anti-aliased strides), and <see cref="AttentionPool2d"/> instead of global average
/// pooling. A config selects it with a list for <c>vision_cfg.layers</c> (blocks per stage); the stem and stages divide
/// the image side by 32, so <c>image_size</c> must be a multiple of 32.
/// </summary>
public sealed class ModifiedResNet : nn.Module, IVisionTower
{
    public readonly Conv2d conv1, conv2, conv3;
    public readonly BatchNormLayer bn1, bn2, bn3;
    public readonly AvgPool2d avgpool;
    public readonly Sequential layer1, layer2, layer3, layer4;
    public readonly AttentionPool2d attnpool;
    private readonly VisionConfig _cfg;

    /// <summary>The tower's configuration.</summary>
    public VisionConfig Config => _cfg;

    /// <summary>
    /// OpenCLIP's <c>lock(freeze_bn_stats=True)</c>: every BatchNorm of the tower normalises with its running statistics
    /// and stops updating them, also in training mode (its FrozenBatchNorm2d); the caller freezes the parameters.
    /// </summary>
    public bool FreezeBatchNormStats
    {
        get => _freezeBn;
        set { _freezeBn = value; if (value) FreezeNorms(); }
    }
    private bool _freezeBn;

    /// <inheritdoc/>
    public override void train(bool on = true)
    {
        base.train(on);
        if (_freezeBn) FreezeNorms();
    }

    private void FreezeNorms()
    {
        foreach (var bn in modules().OfType<BatchNormLayer>()) bn.eval();
    }

    /// <summary>Channels of the last stage (the attention pool's width): width · 32.</summary>
    public int FeatureWidth => _cfg.Width * 32;

    /// <inheritdoc/>
    public int TokenWidth => FeatureWidth;

    public ModifiedResNet(VisionConfig cfg, int embedDim) : base(nameof(ModifiedResNet))
    {
        if (cfg.StageBlocks is not { } blocks)
            throw new ClipSharpException("A ResNet tower needs vision_cfg.layers as a list of blocks per stage.");
        if (cfg.ImageSize % 32 != 0)
            throw new ClipSharpException($"vision_cfg.image_size {cfg.ImageSize} is not a multiple of 32 (a ResNet tower divides the side by 32).");
        _cfg = cfg;
        int w = cfg.Width;
        conv1 = nn.Conv2d(3, w / 2, 3, stride: 2, padding: 1, bias: false);
        bn1 = new BatchNormLayer(w / 2);
        conv2 = nn.Conv2d(w / 2, w / 2, 3, padding: 1, bias: false);
        bn2 = new BatchNormLayer(w / 2);
        conv3 = nn.Conv2d(w / 2, w, 3, padding: 1, bias: false);
        bn3 = new BatchNormLayer(w);
        avgpool = nn.AvgPool2d(2);
        int inplanes = w;
        layer1 = Stage(ref inplanes, w, blocks[0], 1);
        layer2 = Stage(ref inplanes, w * 2, blocks[1], 2);
        layer3 = Stage(ref inplanes, w * 4, blocks[2], 2);
        layer4 = Stage(ref inplanes, w * 8, blocks[3], 2);
        attnpool = new AttentionPool2d(cfg.ImageSize / 32, FeatureWidth, FeatureWidth / cfg.HeadWidth, embedDim);
        RegisterComponents();
        InitParameters();
    }

    /// <summary>images (B, 3, H, W) normalized → (B, embed_dim) pooled features and the last stage's feature map as
    /// tokens (B, (H/32)², width·32), the states the attention pool reads.</summary>
    public VisionOutput Encode(Tensor images, Action<string, Tensor>? observe = null)
    {
        var x = Stem(images.to(conv1.weight!.dtype));
        observe?.Invoke("avgpool", x);   // the stem ends with OpenCLIP's visual.avgpool
        foreach (var (name, stage) in new[] { ("layer1", layer1), ("layer2", layer2), ("layer3", layer3), ("layer4", layer4) })
        {
            x = stage.forward(x);
            observe?.Invoke(name, x);
        }
        var tokens = x.flatten(2).transpose(1, 2);   // (B, HW, C)
        var pooled = attnpool.forward(x);
        observe?.Invoke("attnpool", pooled);
        return new VisionOutput(pooled, tokens, tokens);
    }

    /// <inheritdoc/>
    public Tensor EncodePooled(Tensor images) => Encode(images).Pooled;

    private Tensor Stem(Tensor x)
    {
        x = nn.functional.relu(bn1.forward(conv1.forward(x)));
        x = nn.functional.relu(bn2.forward(conv2.forward(x)));
        x = nn.functional.relu(bn3.forward(conv3.forward(x)));
        return avgpool.forward(x);
    }

    private static Sequential Stage(ref int inplanes, int planes, int count, int stride)
    {
        var blocks = new List<(string, nn.Module<Tensor, Tensor>)> { ("0", new Bottleneck(inplanes, planes, stride)) };
        inplanes = planes * Bottleneck.Expansion;
        for (int i = 1; i < count; i++) blocks.Add((i.ToString(System.Globalization.CultureInfo.InvariantCulture), new Bottleneck(inplanes, planes, 1)));
        return nn.Sequential(blocks);
    }

    // OpenCLIP's init_parameters: the attention pool's projections ~ N(0, 1/C), and the last BatchNorm of every
    // residual branch starts at zero, so each block starts as its shortcut.
    private void InitParameters()
    {
        using var _ = no_grad();
        double std = Math.Pow(FeatureWidth, -0.5);
        foreach (var l in new[] { attnpool.q_proj, attnpool.k_proj, attnpool.v_proj, attnpool.c_proj }) nn.init.normal_(l.weight, 0, std);
        foreach (var stage in new[] { layer1, layer2, layer3, layer4 })
            foreach (var b in stage.children().OfType<Bottleneck>()) nn.init.zeros_(b.bn3.weight);
    }
}

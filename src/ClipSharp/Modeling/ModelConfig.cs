namespace ClipSharp.Modeling;

/// <summary>Activation of the transformer MLPs.</summary>
public enum ActivationKind { Gelu, GeluTanh, QuickGelu }

/// <summary>Vision pooling (OpenCLIP `pool_type`).</summary>
public enum VisionPool { Token, Average, None }

/// <summary>Text pooling (OpenCLIP `pool_type`): argmax = the EOT position (highest id), last = index L-1 (CLIPS [CLS]).</summary>
public enum TextPool { Argmax, Last, First, Eos, None }

/// <summary>Blocks per stage of a ModifiedResNet tower, a value (two configs with the same stages are equal, which an
/// array would not give a record); enumerates and serializes as the list OpenCLIP writes.</summary>
public sealed record ResNetStages(int Stage1, int Stage2, int Stage3, int Stage4) : IReadOnlyList<int>
{
    /// <summary>The four stages from a list; anything but four entries is an error naming <paramref name="source"/>.</summary>
    public static ResNetStages From(IReadOnlyList<int> blocks, string source) => blocks.Count == 4
        ? new ResNetStages(blocks[0], blocks[1], blocks[2], blocks[3])
        : throw new ClipSharp.Core.ClipSharpException($"{source}: vision_cfg.layers lists {blocks.Count} stages; a ResNet tower has 4.");

    /// <inheritdoc/>
    public int Count => 4;

    /// <inheritdoc/>
    public int this[int index] => index switch
    {
        0 => Stage1, 1 => Stage2, 2 => Stage3, 3 => Stage4,
        _ => throw new ArgumentOutOfRangeException(nameof(index), index, "a ResNet has stages 0-3"),
    };

    /// <inheritdoc/>
    public IEnumerator<int> GetEnumerator()
    {
        yield return Stage1;
        yield return Stage2;
        yield return Stage3;
        yield return Stage4;
    }

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}

/// <summary>The image tower (OpenCLIP `vision_cfg`). Defaults are OpenCLIP's.</summary>
public sealed record VisionConfig
{
    public int ImageSize { get; init; } = 224;
    public int PatchSize { get; init; } = 16;
    public int Width { get; init; } = 768;
    public int Layers { get; init; } = 12;
    /// <summary>`layers` given as a list: blocks per stage of a ModifiedResNet tower (OpenCLIP's RN50 is [3, 4, 6, 3]);
    /// null for a ViT. Width is then the stem's width and the attention pool has width · 32 / head_width heads.</summary>
    public ResNetStages? StageBlocks { get; init; }
    public int HeadWidth { get; init; } = 64;
    public double MlpRatio { get; init; } = 4.0;
    public double? LsInitValue { get; init; }
    public bool AttentionalPool { get; init; }
    public int AttnPoolerQueries { get; init; } = 256;
    public int AttnPoolerHeads { get; init; } = 8;
    public bool NoLnPre { get; init; }
    public VisionPool Pool { get; init; } = VisionPool.Token;
    public bool FinalLnAfterPool { get; init; }
    public bool OutputTokens { get; init; }
    public double PatchDropout { get; init; }
    /// <summary>`act_kwargs.approximate == "tanh"` selects tanh GELU.</summary>
    public bool GeluTanh { get; init; }
    /// <summary>`norm_kwargs.eps` (LayerNorm epsilon).</summary>
    public double LayerNormEps { get; init; } = 1e-5;

    /// <summary>True for a ModifiedResNet tower (`layers` is a list).</summary>
    public bool IsResNet => StageBlocks is not null;

    /// <summary>Attention heads = width / head_width.</summary>
    public int Heads => Width / HeadWidth;
    /// <summary>Patches per side.</summary>
    public int GridSize => IsResNet ? ImageSize / 32 : ImageSize / PatchSize;
}

/// <summary>The text tower (OpenCLIP `text_cfg`). Defaults are OpenCLIP's.</summary>
public sealed record TextConfig
{
    public int ContextLength { get; init; } = 77;
    public int VocabSize { get; init; } = 49408;
    public int Width { get; init; } = 512;
    public int Heads { get; init; } = 8;
    public int Layers { get; init; } = 12;
    public double MlpRatio { get; init; } = 4.0;
    public double? LsInitValue { get; init; }
    public bool EmbedCls { get; init; }
    public int PadId { get; init; }
    public int? EosId { get; init; }
    public bool NoCausalMask { get; init; }
    public bool UsePadMask { get; init; }
    public bool CorrectClsMask { get; init; }
    public TextPool Pool { get; init; } = TextPool.Argmax;
    /// <summary>False for `proj_type: "none"`: the pooled state is the feature.</summary>
    public bool HasProjection { get; init; } = true;
    public bool OutputTokens { get; init; }
    public bool GeluTanh { get; init; }
    public double LayerNormEps { get; init; } = 1e-5;
    /// <summary>Tokenizer hint: "bert-base-uncased" selects WordPiece (CLIPS); null selects CLIP BPE.</summary>
    public string? HfTokenizerName { get; init; }
    /// <summary>OpenCLIP `tokenizer_mode` (e.g. "clips").</summary>
    public string? TokenizerMode { get; init; }
}

/// <summary>CoCa's multimodal decoder (OpenCLIP `multimodal_cfg`). Its MLPs are always 4·width: OpenCLIP ignores
/// `mlp_ratio` here (the reader accepts only 4).</summary>
public sealed record MultimodalConfig
{
    public int ContextLength { get; init; } = 77;
    public int VocabSize { get; init; } = 49408;
    public int Width { get; init; } = 512;
    public int Heads { get; init; } = 8;
    public int Layers { get; init; } = 12;
    public double? LsInitValue { get; init; }
    public int AttnPoolerHeads { get; init; } = 8;
    public int DimHead { get; init; } = 64;
    public int NQueries { get; init; } = 256;
}

/// <summary>
/// The CLIPS captioner (`decoder_cfg`, spec §4.3): learnable queries attend to [image patch tokens; web-caption token
/// states] under a prefix-LM mask and predict the full synthetic caption. Fixed by the method: LN eps 1e-6, tanh GELU,
/// attention biases, no positional embedding, bias-free projections and vocabulary head (V = text vocab_size).
/// </summary>
public sealed record DecoderConfig
{
    public int Width { get; init; } = 512;
    public int Layers { get; init; } = 12;
    public int Heads { get; init; } = 8;
    public double MlpRatio { get; init; } = 4.0;
    public int NumLearnableTokens { get; init; } = 128;
    /// <summary>Decoder target length; must equal <see cref="NumLearnableTokens"/>.</summary>
    public int OutputLength { get; init; } = 128;
}

/// <summary>A whole model: OpenCLIP `model_cfg` (+ CLIPS `decoder_cfg`).</summary>
public sealed record ModelConfig
{
    public string Name { get; init; } = "model";
    public int EmbedDim { get; init; } = 512;
    public VisionConfig Vision { get; init; } = new();
    public TextConfig Text { get; init; } = new();
    public MultimodalConfig? Multimodal { get; init; }
    public DecoderConfig? Decoder { get; init; }
    public bool QuickGelu { get; init; }
    public double InitLogitScale { get; init; } = Math.Log(1 / 0.07);
    public double? InitLogitBias { get; init; }
    public bool CustomText { get; init; }

    /// <summary>What the config builds.</summary>
    public ModelKind Kind => Multimodal != null ? ModelKind.CoCa : Decoder != null ? ModelKind.Clips : ModelKind.Clip;
}

/// <summary>The model families ClipSharp builds.</summary>
public enum ModelKind { Clip, CoCa, Clips }

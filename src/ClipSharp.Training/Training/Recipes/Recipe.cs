using ClipSharp.Data;

namespace ClipSharp.Training.Recipes;

/// <summary>
/// One training experiment, read from a JSONC file in configs/recipes (snake_case keys; an unknown key is an error).
/// Every field can be overridden on the command line with <c>--set path=value</c> (e.g. <c>optim.lr=3e-4</c>).
/// </summary>
public sealed record Recipe
{
    /// <summary>Run name (also the default output folder name).</summary>
    public string Name { get; init; } = "run";
    /// <summary>Model config name (configs/models/NAME.json) or path to an OpenCLIP config JSON.</summary>
    public string Model { get; init; } = "test-clips-tiny";
    /// <summary>Optional weights to initialise from (fine-tuning): a file (safetensors / OpenCLIP .bin / .pt) or a model
    /// folder (run, OpenCLIP / CLIPS Hugging Face); a folder's vocabulary is the default tokenizer.vocab.</summary>
    public string? Pretrained { get; init; }
    public TaskRecipe Task { get; init; } = new();
    public TokenizerRecipe Tokenizer { get; init; } = new();
    public DataRecipe Data { get; init; } = new();
    public OptimRecipe Optim { get; init; } = new();
    public ScheduleRecipe Schedule { get; init; } = new();
    /// <summary>Freeze the image and/or the text tower, OpenCLIP's --lock-image / --lock-text (see <see cref="LockRecipe"/>).</summary>
    public LockRecipe Lock { get; init; } = new();
    /// <summary>Samples per optimizer step and process (before accumulation: micro-batch = batch_size / accum_steps).</summary>
    public int BatchSize { get; init; } = 64;
    /// <summary>Gradient accumulation: micro-batches per step; negatives span the whole step's batch (OpenCLIP).</summary>
    public int AccumSteps { get; init; } = 1;
    /// <summary>fp32 | amp_bf16 (fp32 master weights, bf16 matmuls) | pure_bf16 (everything bf16; fine-tuning) | amp_fp16 (CUDA, loss scaling): see Training.TrainingPrecision.</summary>
    public string Precision { get; init; } = "fp32";
    public IReadOnlyList<EvalRecipe> Evals { get; init; } = [];
    public CheckpointRecipe Checkpoint { get; init; } = new();
    public int LogEverySteps { get; init; } = 10;
    /// <summary>Stop with an error after this many non-finite losses in a row (each one skips its step).</summary>
    public int MaxNonFiniteInARow { get; init; } = 5;
    public ulong Seed { get; init; }
    /// <summary>Recompute each residual block's activations in the backward instead of storing them (OpenCLIP
    /// <c>--grad-checkpointing</c>): less memory, about one more forward of compute, the same gradients.</summary>
    public bool GradCheckpointing { get; init; }
    /// <summary>The vision tower's patch dropout (FLIP) for this run, in [0, 1), replacing the model config's
    /// <c>patch_dropout</c> (OpenCLIP <c>--force-patch-dropout</c>); null = the config's.</summary>
    public double? ForcePatchDropout { get; init; }
    /// <summary>"cpu", "cuda" or "cuda:N".</summary>
    public string Device { get; init; } = "cpu";
    /// <summary>Intra-op threads (null = libtorch default, the core count).</summary>
    public int? Threads { get; init; }
    /// <summary>Run directory (null = runs/NAME).</summary>
    public string? OutputDir { get; init; }
}

/// <summary>The task: which model head and objective, and which caption the contrastive term sees.</summary>
public sealed record TaskRecipe
{
    /// <summary>clip | clips | coca | siglip.</summary>
    public string Kind { get; init; } = "clips";
    /// <summary>For clip/siglip/coca: web | synthetic | partial | mix (web w.p. mix_web_probability, else partial).</summary>
    public string Caption { get; init; } = "web";
    public double MixWebProbability { get; init; } = 0.8;
    public double ContrastiveWeight { get; init; } = 1.0;
    public double CaptionWeight { get; init; } = 2.0;
    /// <summary>Token reduction of the synthetic caption for the text encoder (CLIPS "partial" caption).</summary>
    public ReductionRecipe Reduction { get; init; } = new();
}

public sealed record ReductionRecipe
{
    /// <summary>none | truncation | random | shuffle | block | subcaption.</summary>
    public string Strategy { get; init; } = "subcaption";
    public int? Budget { get; init; }
    public bool FillToBudget { get; init; }
}

/// <summary>Tokenizer: from the model config (hf_tokenizer_name / OpenAI BPE) with an optional vocabulary file.</summary>
public sealed record TokenizerRecipe
{
    /// <summary>Vocabulary file or folder (vocab.txt for WordPiece, bpe .gz / vocab.json+merges.txt for BPE).</summary>
    public string? Vocab { get; init; }
}

public sealed record DataRecipe
{
    public IReadOnlyList<DataSourceSpec> Sources { get; init; } = [];
    public int Workers { get; init; } = 2;
    public int ShuffleBuffer { get; init; } = 1000;
    /// <summary>none | default (OpenCLIP RandomResizedCrop 0.9-1) | clipa (crop 0.4-1 + colour jitter + grayscale).</summary>
    public string Augment { get; init; } = "default";
    /// <summary>Make the first bad sample an error instead of skipping and counting it.</summary>
    public bool Strict { get; init; }

    /// <summary>The train-time augmentation <see cref="Augment"/> names (null = none).</summary>
    public Data.Images.TrainAugmentConfig? AugmentConfig() => Augment.Trim().ToLowerInvariant() switch
    {
        "none" => null,
        "default" => Data.Images.TrainAugmentConfig.Default,
        "clipa" => Data.Images.TrainAugmentConfig.Clipa,
        _ => throw new Core.ClipSharpException($"Unknown data.augment \"{Augment}\"; expected none, default or clipa."),
    };
}

public sealed record OptimRecipe
{
    public double Lr { get; init; } = 5e-4;
    public double Beta1 { get; init; } = 0.9;
    public double Beta2 { get; init; } = 0.98;
    public double Eps { get; init; } = 1e-6;
    public double WeightDecay { get; init; } = 0.2;
    /// <summary>openclip (no decay on 1-D, bias, ln, logit_scale) | legacy | kernels (JAX: only matrices of Linear/Conv).</summary>
    public string DecayRule { get; init; } = "openclip";
    /// <summary>Max global gradient norm (null = no clipping, OpenCLIP's default).</summary>
    public double? GradClipNorm { get; init; }
    /// <summary>Clamp logit_scale to [0, ln 100] after each step (OpenCLIP; spec A9).</summary>
    public bool ClampLogitScale { get; init; } = true;
    /// <summary>Layer-wise lr decay of both towers (1 = off): lr × decay^depth, depth counted from the tower's head (<see cref="Finetuning.LayerDecay"/>).</summary>
    public double LayerDecay { get; init; } = 1.0;
    /// <summary>The image tower's layer decay when it differs from <see cref="LayerDecay"/> (OpenCLIP --image-layer-decay).</summary>
    public double? ImageLayerDecay { get; init; }
    /// <summary>The text tower's layer decay when it differs from <see cref="LayerDecay"/> (OpenCLIP --text-layer-decay).</summary>
    public double? TextLayerDecay { get; init; }
}

public sealed record ScheduleRecipe
{
    /// <summary>cosine | constant | const-cooldown.</summary>
    public string Kind { get; init; } = "cosine";
    public long TotalSteps { get; init; } = 1000;
    public long WarmupSteps { get; init; } = 100;
    /// <summary>For const-cooldown: the last N steps decay linearly to min_lr.</summary>
    public long CooldownSteps { get; init; }
    public double MinLr { get; init; }
}

/// <summary>An evaluation named in the recipe, run every N steps (0 = only at the end).</summary>
public sealed record EvalRecipe
{
    public string Name { get; init; } = "";
    /// <summary>retrieval | bags | zeroshot.</summary>
    public string Kind { get; init; } = "retrieval";
    /// <summary>Karpathy JSON (retrieval), bags.json (bags) or class folder (zeroshot).</summary>
    public string Path { get; init; } = "";
    public string? ImageRoot { get; init; }
    public string Split { get; init; } = "test";
    public long EverySteps { get; init; }
    public int BatchSize { get; init; } = 128;
}

public sealed record CheckpointRecipe
{
    /// <summary>Write a checkpoint every N steps (0 = only at the end).</summary>
    public long EverySteps { get; init; } = 500;
    /// <summary>Keep the last K checkpoints.</summary>
    public int KeepLast { get; init; } = 2;
}

using ClipSharp.Modeling.Generation;
using static TorchSharp.torch;

namespace ClipSharp.Inference;

/// <summary>How a <see cref="ClipPipeline"/> loads and runs its model.</summary>
public sealed record ClipPipelineOptions
{
    /// <summary>Where the model runs (null = CPU).</summary>
    public Device? Device { get; init; }

    /// <summary>Images per forward pass (texts use 4x this).</summary>
    public int BatchSize { get; init; } = 32;

    /// <summary>A vocabulary file or folder overriding the model directory's tokenizer files.</summary>
    public string? VocabPath { get; init; }

    /// <summary>
    /// The factor on cosine similarities before the zero-shot softmax. 100 is OpenCLIP's convention (and the value a
    /// trained model's exp(logit_scale) reaches); null uses the model's own exp(logit_scale).
    /// </summary>
    public double? ZeroShotScale { get; init; } = 100;

    /// <summary>
    /// Opt in to <see cref="Core.ProcessTuning"/> (glibc malloc tuning and MKL's GEMM dispatch on non-Intel CPUs,
    /// +25-40 % CPU GEMM throughput on AMD): both change the whole host process, so the default is off.
    /// </summary>
    public bool TuneProcess { get; init; }

    /// <summary>
    /// The compute precision: <see cref="InferencePrecision.Fp32"/>, or <see cref="InferencePrecision.Bf16"/> (matrix
    /// products in bf16 on bf16 copies of the weights made once; LayerNorm, the residual stream and the output
    /// projection in fp32, so embeddings come back as fp32 and are normalized in fp32). Mind: bf16 embeddings differ
    /// from fp32 ones at about the 3rd-4th significant digit (cosine ≥ 0.999 on every fixture model).
    /// </summary>
    public InferencePrecision Precision { get; init; } = InferencePrecision.Fp32;

    /// <summary>Caption decoding for <see cref="ClipPipeline.Caption(string, GenerationOptions?)"/> (greedy by default).</summary>
    public GenerationOptions Generation { get; init; } = GenerationOptions.Greedy;
}

/// <summary>Inference compute precision (see <see cref="ClipPipelineOptions.Precision"/>).</summary>
public enum InferencePrecision
{
    /// <summary>Every operation in float32 (the default; the reference numbers).</summary>
    Fp32,
    /// <summary>Matrix products in bfloat16 with weights cast once; embeddings are returned as float32.</summary>
    Bf16,
}

using ClipSharp.Core;
using ClipSharp.Modeling;
using ClipSharp.Modeling.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace ClipSharp.Training;

/// <summary>
/// The recipe's <c>precision</c>, as OpenCLIP names them:
/// <list type="bullet">
/// <item><c>fp32</c>: everything in fp32.</item>
/// <item><c>amp_bf16</c>: fp32 master weights and AdamW moments; linear layers, attention projections, MLPs, the patch
/// embedding and the captioner's projections and head in bf16; LayerNorm, the residual stream, softmax(QKᵀ)V,
/// embeddings, the feature projections, the logit scale, every loss and the optimizer step in fp32
/// (<see cref="PrecisionPolicy"/>).</item>
/// <item><c>pure_bf16</c>: weights, moments and activations in bf16, LayerNorm included (half the weight and optimizer
/// memory; bf16 has 8 bits of mantissa, so updates smaller than ~1/256 of a weight are lost: for fine-tuning with
/// small learning rates, not for training from scratch). Checkpoints are still written in fp32.</item>
/// <item><c>amp_fp16</c>: as amp_bf16 with fp16 matmuls and dynamic loss scaling (<see cref="Optim.DynamicLossScaler"/>);
/// for CUDA (CPU fp16 GEMMs are slow).</item>
/// </list>
/// </summary>
public sealed record TrainingPrecision(string Name, PrecisionPolicy Policy, ScalarType? ParameterDtype, bool LossScaling)
{
    public static IReadOnlyList<string> Names { get; } = ["fp32", "amp_bf16", "pure_bf16", "amp_fp16"];

    public static TrainingPrecision Parse(string text) => text.Trim().ToLowerInvariant() switch
    {
        "fp32" => new("fp32", PrecisionPolicy.Native, null, false),
        "amp_bf16" => new("amp_bf16", PrecisionPolicy.AmpBf16(), null, false),
        "pure_bf16" => new("pure_bf16", PrecisionPolicy.Native, ScalarType.BFloat16, false),
        "amp_fp16" => new("amp_fp16", PrecisionPolicy.AmpFp16(), null, true),
        _ => throw new ClipSharpException($"Unknown precision \"{text}\"; expected one of {string.Join(", ", Names)}."),
    };

    /// <summary>Sets the compute policy on <paramref name="model"/> and casts its parameters where the mode says so.</summary>
    public void ApplyTo(ContrastiveModel model)
    {
        if (ParameterDtype is { } dt) model.to(dt);
        PrecisionPolicies.Apply(model, Policy);
    }

    /// <summary>A task's features in fp32 (pure_bf16 towers return bf16): every loss runs in fp32.</summary>
    public static IReadOnlyDictionary<string, Tensor> LossInputs(IReadOnlyDictionary<string, Tensor> features) =>
        features.Values.All(t => t.dtype == ScalarType.Float32 || !t.is_floating_point())
            ? features
            : features.ToDictionary(kv => kv.Key, kv => kv.Value.is_floating_point() ? kv.Value.to(ScalarType.Float32) : kv.Value);
}

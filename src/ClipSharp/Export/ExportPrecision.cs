using ClipSharp.Core;
using static TorchSharp.torch;

namespace ClipSharp.Export;

/// <summary>
/// How an export stores its weights. Fp32: everything fp32. Fp16 / Bf16: matrices, embeddings and the patch kernel
/// are stored in 16 bits (half the file) and cast to fp32 inside the graph; LayerNorm, biases, softmax, the residual
/// stream and every activation stay fp32, so the only error is the weights' rounding (no fp16 overflow in
/// LayerNorm/MatMul on ONNX Runtime's CPU kernels).
/// </summary>
public enum ExportPrecision
{
    /// <summary>All weights fp32.</summary>
    Fp32,
    /// <summary>Large weights stored as IEEE half.</summary>
    Fp16,
    /// <summary>Large weights stored as bfloat16.</summary>
    Bf16,
}

/// <summary>Parsing and naming of <see cref="ExportPrecision"/>.</summary>
public static class ExportPrecisions
{
    /// <summary>"fp32", "fp16" or "bf16".</summary>
    public static string Name(this ExportPrecision p) => p switch
    {
        ExportPrecision.Fp16 => "fp16",
        ExportPrecision.Bf16 => "bf16",
        _ => "fp32",
    };

    /// <summary>Parses "fp32" / "fp16" / "bf16" (case-insensitive).</summary>
    public static ExportPrecision Parse(string text) => text.Trim().ToLowerInvariant() switch
    {
        "fp32" => ExportPrecision.Fp32,
        "fp16" => ExportPrecision.Fp16,
        "bf16" => ExportPrecision.Bf16,
        _ => throw new ClipSharpException($"Export precision '{text}': expected fp32, fp16 or bf16."),
    };

    internal static ScalarType StorageType(this ExportPrecision p) => p switch
    {
        ExportPrecision.Fp16 => ScalarType.Float16,
        ExportPrecision.Bf16 => ScalarType.BFloat16,
        _ => ScalarType.Float32,
    };
}

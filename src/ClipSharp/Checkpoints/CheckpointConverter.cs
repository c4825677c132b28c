using ClipSharp.Core;
using static TorchSharp.torch;

namespace ClipSharp.Checkpoints;

/// <summary>Rewrites any readable checkpoint as safetensors, optionally casting floating-point tensors.</summary>
public static class CheckpointConverter
{
    /// <summary>What a conversion wrote.</summary>
    public sealed record Result(string Output, int TensorCount, long ParameterCount, long Bytes);

    /// <summary>Parses "f32" / "f16" / "bf16" (also "float32", "fp16", ...).</summary>
    public static ScalarType ParseDType(string text) => text.ToLowerInvariant() switch
    {
        "f32" or "fp32" or "float32" or "float" => ScalarType.Float32,
        "f16" or "fp16" or "float16" or "half" => ScalarType.Float16,
        "bf16" or "bfloat16" => ScalarType.BFloat16,
        _ => throw new ClipSharpException($"--dtype must be f32, f16 or bf16, not '{text}'."),
    };

    /// <summary>
    /// Converts <paramref name="input"/> (PyTorch zip or safetensors) to safetensors at <paramref name="output"/>
    /// (default: the input path with the extension .safetensors). Integer and bool tensors keep their dtype.
    /// </summary>
    public static Result ToSafeTensors(string input, string? output = null, ScalarType? dtype = null, bool overwrite = false)
    {
        output ??= Path.ChangeExtension(input, ".safetensors");
        if (Path.GetFullPath(output) == Path.GetFullPath(input))
            throw new ClipSharpException($"{input}: the output would overwrite the input; pass --out.");
        if (File.Exists(output) && !overwrite) throw new ClipSharpException($"{output}: already exists (pass --force to overwrite).");
        using var sd = CheckpointReader.Read(input);
        var cast = new Dictionary<string, Tensor>();
        try
        {
            foreach (var (k, t) in sd) cast[k] = dtype is { } d && t.is_floating_point() && t.dtype != d ? t.to(d) : t;
            SafeTensorsWriter.Save(output, cast, new Dictionary<string, string> { ["format"] = "pt", ["converted_from"] = Path.GetFileName(input) });
        }
        finally
        {
            foreach (var (k, t) in cast) if (!ReferenceEquals(t, sd[k])) t.Dispose();
        }
        return new Result(output, sd.Count, sd.NumElements, new FileInfo(output).Length);
    }
}

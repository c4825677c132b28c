using ClipSharp.Core;
using ClipSharp.Modeling;
using TorchSharp;
using static TorchSharp.torch;

namespace ClipSharp.Training.Finetuning;

/// <summary>
/// WiSE-FT (Wortsman et al., "Robust fine-tuning of zero-shot models", CVPR 2022): the weight-space ensemble
/// θ = (1 − α)·θ_zero-shot + α·θ_fine-tuned of two checkpoints of one architecture, tensor by tensor. α = 0 gives the
/// zero-shot weights and α = 1 the fine-tuned ones, bit for bit (copies, not arithmetic); in between, floating-point
/// tensors mix in the wider of their two dtypes (computed in float32 at least); integer and bool tensors must be equal.
/// </summary>
public static class WiseFt
{
    /// <summary>The interpolated state dict (new CPU tensors); an error names the first key that does not match.</summary>
    public static Dictionary<string, Tensor> Interpolate(IReadOnlyDictionary<string, Tensor> zeroShot, IReadOnlyDictionary<string, Tensor> fineTuned,
        double alpha, string zeroShotName = "zero-shot", string fineTunedName = "fine-tuned")
    {
        if (!double.IsFinite(alpha)) throw new ClipSharpException($"alpha must be a finite number, got {alpha}.");
        CheckSameKeysAndShapes(zeroShot, fineTuned, zeroShotName, fineTunedName);
        var result = new Dictionary<string, Tensor>();
        using var wZero = (1 - alpha).ToScalar();
        using var wFine = alpha.ToScalar();
        foreach (var key in zeroShot.Keys.Order(StringComparer.Ordinal))
        {
            Tensor a = zeroShot[key], b = fineTuned[key];
            result[key] = alpha == 0 ? a.detach().cpu().clone()
                : alpha == 1 ? b.detach().cpu().clone()
                : Mix(key, a, b, wZero, wFine, zeroShotName, fineTunedName);
        }
        return result;
    }

    private static Tensor Mix(string key, Tensor a, Tensor b, Scalar wZero, Scalar wFine, string zeroShotName, string fineTunedName)
    {
        if (!a.is_floating_point() || !b.is_floating_point())
        {
            if (a.dtype == b.dtype && a.eq(b).all().item<bool>()) return a.detach().cpu().clone();
            throw new ClipSharpException($"key '{key}' is a {a.dtype}/{b.dtype} tensor that differs between {zeroShotName} and {fineTunedName}; only floating-point tensors can be interpolated.");
        }
        var dtype = a.dtype == b.dtype ? a.dtype : a.dtype == ScalarType.Float64 || b.dtype == ScalarType.Float64 ? ScalarType.Float64 : ScalarType.Float32;
        var compute = dtype is ScalarType.Float16 or ScalarType.BFloat16 ? ScalarType.Float32 : dtype;
        using var a32 = a.detach().cpu().to(compute);
        using var b32 = b.detach().cpu().to(compute);
        using var mixed = a32.mul(wZero).add_(b32, wFine);                   // (1 − α)·a + α·b
        return mixed.to(dtype).clone();
    }

    /// <summary>Throws, naming the key, unless both state dicts have the same keys with the same shapes.</summary>
    public static void CheckSameKeysAndShapes(IReadOnlyDictionary<string, Tensor> zeroShot, IReadOnlyDictionary<string, Tensor> fineTuned,
        string zeroShotName = "zero-shot", string fineTunedName = "fine-tuned")
    {
        var onlyZero = zeroShot.Keys.Where(k => !fineTuned.ContainsKey(k)).Order(StringComparer.Ordinal).ToList();
        var onlyFine = fineTuned.Keys.Where(k => !zeroShot.ContainsKey(k)).Order(StringComparer.Ordinal).ToList();
        if (onlyZero.Count > 0 || onlyFine.Count > 0)
        {
            var (key, has, lacks, n) = onlyZero.Count > 0 ? (onlyZero[0], zeroShotName, fineTunedName, onlyZero.Count + onlyFine.Count)
                : (onlyFine[0], fineTunedName, zeroShotName, onlyFine.Count);
            throw new ClipSharpException($"key '{key}' is in {has} but not in {lacks} ({n} key(s) differ in all: " +
                $"{onlyZero.Count} only in {zeroShotName}, {onlyFine.Count} only in {fineTunedName}); WiSE-FT needs two checkpoints of one architecture.");
        }
        foreach (var key in zeroShot.Keys.Order(StringComparer.Ordinal))
            if (!zeroShot[key].shape.SequenceEqual(fineTuned[key].shape))
                throw new ClipSharpException($"key '{key}' has shape [{string.Join(", ", zeroShot[key].shape)}] in {zeroShotName} " +
                    $"but [{string.Join(", ", fineTuned[key].shape)}] in {fineTunedName}; WiSE-FT needs two checkpoints of one architecture.");
    }

    /// <summary>
    /// Throws unless two model configs describe one architecture: everything but the name and the tokenizer's naming
    /// (a run folder names its own vocabulary where the Hugging Face copy it started from names bert-base-uncased).
    /// </summary>
    public static void CheckSameArchitecture(ModelConfig zeroShot, ModelConfig fineTuned, string zeroShotName = "zero-shot", string fineTunedName = "fine-tuned")
    {
        static ModelConfig Normal(ModelConfig c) => c with { Name = "", Text = c.Text with { HfTokenizerName = null, TokenizerMode = null } };
        ModelConfig a = Normal(zeroShot), b = Normal(fineTuned);
        if (a == b) return;
        var diff = Differences(a, b).FirstOrDefault() ?? "(a field)";
        throw new ClipSharpException($"the model configs of {zeroShotName} and {fineTunedName} differ in {diff}; WiSE-FT needs two checkpoints of one architecture.");
    }

    // "Vision.Layers: 2 vs 3" for each differing property, one level into the tower records.
    private static IEnumerable<string> Differences(object a, object b, string path = "")
    {
        foreach (var p in a.GetType().GetProperties().Where(p => p.GetIndexParameters().Length == 0 && p.Name != "EqualityContract"))
        {
            object? x = p.GetValue(a), y = p.GetValue(b);
            if (Equals(x, y)) continue;
            if (x is not null && y is not null && path.Length == 0 && x.GetType().Namespace == typeof(ModelConfig).Namespace && !x.GetType().IsEnum)
                foreach (var d in Differences(x, y, p.Name + ".")) yield return d;
            else yield return $"{path}{p.Name} ({x?.ToString() ?? "none"} vs {y?.ToString() ?? "none"})";
        }
    }
}

namespace ClipSharp.Core;

/// <summary>
/// The CPU's native low-precision matmul support, from the kernel's flags (/proc/cpuinfo on Linux): AVX-512 BF16
/// (AMD Zen 4+, Intel Cooper Lake+), AMX BF16 tiles (Intel Sapphire Rapids+) and AVX-512 FP16. Without any of them
/// libtorch emulates bf16 matmuls in fp32 and amp_bf16 is slower than fp32 on CPU.
/// </summary>
public sealed record CpuFeatures(bool Avx512Bf16, bool AmxBf16, bool Avx512Fp16, bool Known)
{
    /// <summary>True when bf16 matmuls run natively on this CPU.</summary>
    public bool NativeBf16 => Avx512Bf16 || AmxBf16;

    /// <summary>Reads the flags once (all false, <see cref="Known"/> false, where they cannot be read).</summary>
    public static CpuFeatures Detect()
    {
        try
        {
            if (!OperatingSystem.IsLinux() || !File.Exists("/proc/cpuinfo")) return new(false, false, false, false);
            var flags = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("flags", StringComparison.Ordinal));
            if (flags is null) return new(false, false, false, false);
            var set = flags[(flags.IndexOf(':') + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal);
            return new(set.Contains("avx512_bf16"), set.Contains("amx_bf16"), set.Contains("avx512_fp16"), true);
        }
        catch (IOException) { return new(false, false, false, false); }
        catch (UnauthorizedAccessException) { return new(false, false, false, false); }
    }

    /// <summary>One line for diagnostics (<c>clipsharp doctor</c>): each feature yes/no, or why it is unknown.</summary>
    public override string ToString() => !Known ? "unknown (no /proc/cpuinfo flags)"
        : $"AVX-512 BF16 {(Avx512Bf16 ? "yes" : "no")}, AMX BF16 {(AmxBf16 ? "yes" : "no")}, AVX-512 FP16 {(Avx512Fp16 ? "yes" : "no")}";
}

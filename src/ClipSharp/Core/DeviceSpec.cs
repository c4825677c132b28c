using TorchSharp;

namespace ClipSharp.Core;

/// <summary>Parses and validates a device string (`cpu`, `cuda`, `cuda:1`) into a TorchSharp device.</summary>
public static class DeviceSpec
{
    /// <summary>Parses <paramref name="text"/>; throws a <see cref="ClipSharpException"/> when it is malformed or unavailable.</summary>
    public static torch.Device Parse(string text)
    {
        var t = text.Trim().ToLowerInvariant();
        if (t == "cpu") return torch.CPU;
        if (t == "cuda" || t.StartsWith("cuda:", StringComparison.Ordinal))
        {
            int index = 0;
            if (t.Length > 4 && !int.TryParse(t.AsSpan(5), out index))
                throw new ClipSharpException($"Device '{text}' is not valid: use cpu, cuda or cuda:N.");
            if (!torch.cuda.is_available())
                throw new ClipSharpException(
                    $"Device '{text}' was requested but CUDA is not available: build with -p:TorchBackend=cuda on a machine with an NVIDIA driver, or use --device cpu.");
            if (index >= torch.cuda.device_count())
                throw new ClipSharpException($"Device '{text}' does not exist: {torch.cuda.device_count()} CUDA device(s) found.");
            return new torch.Device(DeviceType.CUDA, index);
        }
        throw new ClipSharpException($"Device '{text}' is not valid: use cpu, cuda or cuda:N.");
    }
}

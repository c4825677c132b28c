using System.Reflection;
using System.Runtime.InteropServices;
using TorchSharp;

namespace ClipSharp.Core;

/// <summary>What this process runs on: .NET, TorchSharp/libtorch, threads, devices, libvips.</summary>
public sealed record RuntimeInfo(
    string ClipSharpVersion,
    string DotNetVersion,
    string Os,
    string TorchSharpVersion,
    string LibTorchVersion,
    int TorchThreads,
    int ProcessorCount,
    bool CudaAvailable,
    int CudaDeviceCount,
    string LibVipsVersion)
{
    /// <summary>Reads the runtime facts; loads libtorch and libvips if they are not loaded yet.</summary>
    public static RuntimeInfo Collect()
    {
        var tsAsm = typeof(torch).Assembly;
        var tsVersion = tsAsm.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
                        ?? tsAsm.GetName().Version?.ToString() ?? "?";
        var plus = tsVersion.IndexOf('+');
        if (plus > 0) tsVersion = tsVersion[..plus];
        var own = typeof(RuntimeInfo).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "?";
        plus = own.IndexOf('+');
        if (plus > 0) own = own[..plus];
        bool cuda = torch.cuda.is_available();
        return new RuntimeInfo(
            own,
            RuntimeInformation.FrameworkDescription,
            RuntimeInformation.OSDescription + " " + RuntimeInformation.OSArchitecture,
            tsVersion,
            torch.__version__,
            torch.get_num_threads(),
            Environment.ProcessorCount,
            cuda,
            cuda ? torch.cuda.device_count() : 0,
            $"{NetVips.NetVips.Version(0)}.{NetVips.NetVips.Version(1)}.{NetVips.NetVips.Version(2)}");
    }
}

using System.Globalization;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;
using TorchSharp;

namespace ClipSharp.Core;

/// <summary>What <see cref="MklCpuDispatch.Ensure"/> found or did.</summary>
public enum MklDispatchState
{
    /// <summary>MKL now takes the kernels the CPU's feature flags allow (AVX-512 / AVX2) on this non-Intel CPU.</summary>
    Applied,
    /// <summary>As <see cref="Applied"/>, but MKL had already run a routine: routines it dispatched before keep their path.</summary>
    AppliedLate,
    /// <summary>An Intel CPU: MKL already dispatches by features.</summary>
    NotNeeded,
    /// <summary>CLIPSHARP_MKL_DISPATCH=0.</summary>
    Disabled,
    /// <summary>Not x86-64 Linux, no MKL in this libtorch, or an MKL build whose vendor check this code does not recognise.</summary>
    Unavailable,
}

/// <summary>
/// libtorch's CPU GEMMs run on oneMKL, linked statically into libtorch_cpu.so. MKL picks its sgemm kernels only after
/// its vendor check, <c>mkl_serv_intel_cpu_true()</c>, says "GenuineIntel"; on AMD it falls back to a slower generic
/// path whatever the CPU supports. Measured on the 2-core AMD EPYC (Zen 4, AVX-512) this project runs on: square fp32
/// mm 150-178 → 203-216 GFLOP/s, the text tower's 9856×512×2048 linear 128-142 → 175-183 GFLOP/s (OpenBLAS, the
/// PyTorch reference's BLAS, reaches 254 on large squares).
/// The check caches its answer in a static int (-1 = not asked yet) that its first instruction loads
/// (<c>mov eax, [rip + disp32]</c>); before MKL's first call this sets that int to 1, so MKL dispatches on the CPU's
/// feature flags (cpuid), as it does on Intel. It is the in-process form of the well-known LD_PRELOAD workaround that
/// redefines the same function. Nothing is patched unless the function's code has exactly the expected shape and the
/// int lies in a writable mapping of libtorch_cpu.so. Call it before the first GEMM of the process (model
/// construction and the CLI do); CLIPSHARP_MKL_DISPATCH=0 turns it off.
/// </summary>
public static class MklCpuDispatch
{
    private const string CheckSymbol = "mkl_serv_intel_cpu_true";
    private static readonly object Gate = new();
    private static MklDispatchState? _state;

    /// <summary>Applies the fix once per process (thread-safe) and returns what happened.</summary>
    public static MklDispatchState Ensure()
    {
        if (_state is { } s) return s;
        lock (Gate) return _state ??= TryApply();
    }

    /// <summary>What a CPU vendor string and the CLIPSHARP_MKL_DISPATCH value decide before anything is touched; null = go on.</summary>
    public static MklDispatchState? Precheck(string vendor, string? setting) =>
        setting == "0" ? MklDispatchState.Disabled
        : vendor == "GenuineIntel" ? MklDispatchState.NotNeeded
        : null;

    /// <summary>The CPU vendor string from cpuid leaf 0 ("GenuineIntel", "AuthenticAMD", ...), or "" off x86.</summary>
    public static string CpuVendor()
    {
        if (!X86Base.IsSupported) return "";
        var (_, ebx, ecx, edx) = X86Base.CpuId(0, 0);
        Span<int> regs = [ebx, edx, ecx];
        return System.Text.Encoding.ASCII.GetString(MemoryMarshal.AsBytes(regs));
    }

    private static MklDispatchState TryApply()
    {
        if (!OperatingSystem.IsLinux() || RuntimeInformation.ProcessArchitecture != Architecture.X64)
            return MklDispatchState.Unavailable;
        if (Precheck(CpuVendor(), Environment.GetEnvironmentVariable("CLIPSHARP_MKL_DISPATCH")) is { } early) return early;
        torch.InitializeDeviceType(DeviceType.CPU); // loads libtorch_cpu.so if nothing has yet
        return WithCache(PatchCache) ?? MklDispatchState.Unavailable;
    }

    private static unsafe MklDispatchState PatchCache(nint address)
    {
        var cached = (int*)address;
        int before = Volatile.Read(ref *cached);
        if (before == 1) return MklDispatchState.NotNeeded;
        Volatile.Write(ref *cached, 1);
        return before < 0 ? MklDispatchState.Applied : MklDispatchState.AppliedLate;
    }

    /// <summary>True when [address, address+length) lies in one rw mapping of this process and inside the loaded object
    /// <paramref name="library"/> (its data segment or .bss, as dladdr sees it).</summary>
    internal static bool InWritableMapping(nint address, int length, string library)
    {
        // Which object the address belongs to: dladdr knows each loaded object's whole span (its .bss included), which
        // /proc/self/maps cannot tell apart from a malloc arena the kernel merged into the same anonymous mapping.
        if (address == 0 || !InLibrary(address, library) || !InLibrary(address + length - 1, library)) return false;
        string[] lines;
        try { lines = File.ReadAllLines("/proc/self/maps"); }
        catch (IOException) { return false; }
        foreach (var line in lines)
        {
            // "start-end perms offset dev inode [path]"
            var parts = line.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length < 5) continue;
            var range = parts[0].Split('-');
            ulong start = ulong.Parse(range[0], NumberStyles.HexNumber), end = ulong.Parse(range[1], NumberStyles.HexNumber);
            if ((ulong)address >= start && (ulong)address + (ulong)length <= end) return parts[1].StartsWith("rw", StringComparison.Ordinal);
        }
        return false;
    }

    private static bool InLibrary(nint address, string library)
    {
        try { return dladdr(address, out var info) != 0 && Marshal.PtrToStringUTF8(info.FileName) is { } f && f.Contains(library, StringComparison.Ordinal); }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException) { return false; }
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct DlInfo { public nint FileName, FileBase, SymbolName, SymbolAddress; }

    [DllImport("libc.so.6")]
    private static extern int dladdr(nint address, out DlInfo info);

    /// <summary>The vendor-check cache MKL reads (1 = dispatch by features, 0 = generic path, -1 = not asked yet), or
    /// null when it cannot be located (not x86-64 Linux, no MKL, an unrecognised MKL build).</summary>
    public static unsafe int? CachedVendorCheck() =>
        OperatingSystem.IsLinux() && RuntimeInformation.ProcessArchitecture == Architecture.X64
            ? WithCache(a => Volatile.Read(ref *(int*)a))
            : null;

    // Finds the int that mkl_serv_intel_cpu_true caches its answer in and hands its address to `use`; null when the
    // function is missing or its code is not the expected `mov eax, [rip+disp32]; test eax, eax; js` prologue, or
    // when the address is not in a writable mapping of libtorch_cpu.so.
    private static unsafe T? WithCache<T>(Func<nint, T> use) where T : struct
    {
        if (!NativeLibrary.TryLoad("libtorch_cpu.so", out var lib)) return null;
        try
        {
            if (!NativeLibrary.TryGetExport(lib, CheckSymbol, out var fn)) return null;
            var code = (byte*)fn;
            if (code[0] != 0x8B || code[1] != 0x05 || code[6] != 0x85 || code[7] != 0xC0 || code[8] != 0x78) return null;
            var cached = (nint)(code + 6 + *(int*)(code + 2));
            return InWritableMapping(cached, sizeof(int), "libtorch_cpu") ? use(cached) : null;
        }
        finally
        {
            NativeLibrary.Free(lib); // drops only the reference TryLoad added
        }
    }
}

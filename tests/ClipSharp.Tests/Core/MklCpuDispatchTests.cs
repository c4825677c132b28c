using System.Runtime.InteropServices;
using ClipSharp.Core;
using ClipSharp.Tests.Support;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace ClipSharp.Tests.Core;

public class MklCpuDispatchTests
{
    [Theory]
    [InlineData("AuthenticAMD", null, null)]
    [InlineData("AuthenticAMD", "1", null)]
    [InlineData("HygonGenuine", null, null)]
    [InlineData("GenuineIntel", null, MklDispatchState.NotNeeded)]
    [InlineData("AuthenticAMD", "0", MklDispatchState.Disabled)]
    [InlineData("GenuineIntel", "0", MklDispatchState.Disabled)]
    public void Precheck_decides_from_the_vendor_and_the_switch(string vendor, string? setting, MklDispatchState? expected) =>
        Assert.Equal(expected, MklCpuDispatch.Precheck(vendor, setting));

    [Fact]
    public void Cpu_vendor_is_the_twelve_character_cpuid_string_on_x86()
    {
        var vendor = MklCpuDispatch.CpuVendor();
        if (RuntimeInformation.ProcessArchitecture is Architecture.X64 or Architecture.X86)
            Assert.Equal(12, vendor.Length);
        else
            Assert.Equal("", vendor);
    }

    [LinuxFact(X64Only = true)]
    public void On_this_libtorch_the_vendor_check_is_found_and_set_so_mkl_dispatches_by_cpu_features()
    {
        var state = MklCpuDispatch.Ensure();
        Assert.Equal(state, MklCpuDispatch.Ensure()); // once per process
        if (Environment.GetEnvironmentVariable("CLIPSHARP_MKL_DISPATCH") == "0")
            Assert.Equal(MklDispatchState.Disabled, state);   // switched off: nothing is patched
        else
        {
            // The pinned libtorch 2.10 ships oneMKL 2024: a libtorch whose check has another shape must show up here.
            Assert.NotEqual(MklDispatchState.Unavailable, state);
            if (MklCpuDispatch.CpuVendor() == "GenuineIntel")
                Assert.Contains(MklCpuDispatch.CachedVendorCheck(), new int?[] { -1, 1 }); // untouched: -1 until MKL's first call
            else
                Assert.Equal(1, MklCpuDispatch.CachedVendorCheck());
        }
    }

    [Theory]
    [InlineData(300, 257, 190)]
    [InlineData(9856 / 8, 512, 2048)]
    [InlineData(1, 512, 512)]
    public void Gemm_on_the_dispatched_path_matches_a_double_precision_product(int m, int k, int n)
    {
        MklCpuDispatch.Ensure();
        using var scope = NewDisposeScope();
        var gen = new Generator(7);
        var a = randn([m, k], generator: gen);
        var b = randn([k, n], generator: gen);
        var expected = a.to_type(ScalarType.Float64).mm(b.to_type(ScalarType.Float64));
        var viaMm = a.mm(b).to_type(ScalarType.Float64);
        var viaLinear = nn.functional.linear(a, b.t().contiguous()).to_type(ScalarType.Float64);
        // fp32 accumulation over k terms of unit-variance products: error ~ sqrt(k) * 2^-24 * |terms|
        double tol = 1e-5 * Math.Sqrt(k) * 4;
        Assert.True((viaMm - expected).abs().max().item<double>() < tol, "mm");
        Assert.True((viaLinear - expected).abs().max().item<double>() < tol, "linear");
    }

    [LinuxFact]
    public void Writable_mapping_check_rejects_addresses_outside_the_library()
    {
        var buffer = Marshal.AllocHGlobal(64);
        try
        {
            Assert.False(MklCpuDispatch.InWritableMapping(buffer, 4, "libtorch_cpu"));
            Assert.False(MklCpuDispatch.InWritableMapping(0, 4, "libtorch_cpu"));
            torch.InitializeDeviceType(DeviceType.CPU);
            if (NativeLibrary.TryLoad("libtorch_cpu.so", out var lib) && NativeLibrary.TryGetExport(lib, "mkl_serv_intel_cpu_true", out var code))
                Assert.False(MklCpuDispatch.InWritableMapping(code, 4, "libtorch_cpu")); // its code: r-x
        }
        finally
        {
            Marshal.FreeHGlobal(buffer);
        }
    }
}

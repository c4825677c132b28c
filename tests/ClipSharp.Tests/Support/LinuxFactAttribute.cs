using System.Runtime.InteropServices;

namespace ClipSharp.Tests.Support;

/// <summary>A fact about Linux process internals (/proc maps, ELF exports): skipped with the reason elsewhere.</summary>
public sealed class LinuxFactAttribute : FactAttribute
{
    /// <summary>Also require an x86-64 process (the libtorch build whose oneMKL symbols the test reads).</summary>
    public bool X64Only { get; set; }

    public override string Skip
    {
        get => base.Skip ?? Reason()!;
        set => base.Skip = value;
    }

    private string? Reason() =>
        !OperatingSystem.IsLinux() ? $"Linux only; this is {RuntimeInformation.OSDescription}"
        : X64Only && RuntimeInformation.ProcessArchitecture != Architecture.X64 ? $"linux-x64 only; this process is {RuntimeInformation.ProcessArchitecture}"
        : null;
}

using System.IO.Compression;
using ClipSharp.Checkpoints;

namespace ClipSharp.Fuzz.Targets;

/// <summary>
/// PyTorch zip checkpoints through <see cref="TorchZipCheckpoint"/>: open (zip directory, data.pkl through the
/// restricted unpickler, storage checks), then read every tensor. This target mutates the whole archive bytes; the
/// <c>pickle</c> target mutates data.pkl inside an intact archive.
/// </summary>
public class TorchZipTarget(FuzzPaths paths) : FuzzTarget
{
    public override string Name => "torchzip";
    public override string Extension => ".bin";

    /// <summary>The torch.save files the tests keep (written by PyTorch).</summary>
    protected IReadOnlyList<byte[]> TorchSaveFiles() =>
        new[] { "pybridge_tensors.pth", "pybridge_module_load.pth" }
            .Select(f => Path.Combine(paths.RepoRoot, "tests", "ClipSharp.Tests", "Checkpoints", "Data", f))
            .Where(File.Exists).Select(File.ReadAllBytes).ToList();

    protected override IReadOnlyList<byte[]> MakeSeeds() => TorchSaveFiles();

    public override IReadOnlyList<byte[]> Dictionary { get; } = [[0x50, 0x4B, 0x03, 0x04], [0x50, 0x4B, 0x01, 0x02], [0x50, 0x4B, 0x05, 0x06], [0x50, 0x4B, 0x06, 0x06]];

    public override long Run(byte[] input, string path)
    {
        using var c = TorchZipCheckpoint.Open(path);
        var all = c.ReadAll();
        long bytes = 0;
        foreach (var t in all.Values)
        {
            bytes += t.NumberOfElements * t.ElementSize;
            t.Dispose();
        }
        return bytes;
    }
}

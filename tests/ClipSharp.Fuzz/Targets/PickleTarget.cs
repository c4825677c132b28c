using System.IO.Compression;
using ClipSharp.Checkpoints;

namespace ClipSharp.Fuzz.Targets;

/// <summary>The restricted unpickler (<c>TorchUnpickler</c>) through <see cref="TorchZipCheckpoint"/>: data.pkl is
/// mutated and packed back into a well-formed archive beside the seed's storages, so the zip layer never stops it.</summary>
public sealed class PickleTarget(FuzzPaths paths) : TorchZipTarget(paths)
{
    private List<(string Name, byte[] Data)>[]? _archives;

    public override string Name => "pickle";

    public override IReadOnlyList<byte[]> Dictionary { get; } = PickleTokens();

    protected override IReadOnlyList<byte[]> MakeSeeds()
    {
        _archives = TorchSaveFiles().Select(Entries).ToArray();
        return _archives.Select(a => a.First(e => e.Name.EndsWith("/data.pkl", StringComparison.Ordinal)).Data).ToList();
    }

    public override long Run(byte[] input, string path)
    {
        _ = Seeds;
        // the archive around the pickle: the seed's other entries (storages, byteorder, version), chosen by input length
        var archive = _archives![input.Length % _archives.Length];
        using (var fs = File.Create(path))
        using (var zip = new ZipArchive(fs, ZipArchiveMode.Create))
            foreach (var (name, data) in archive)
            {
                using var s = zip.CreateEntry(name, CompressionLevel.NoCompression).Open();
                s.Write(name.EndsWith("/data.pkl", StringComparison.Ordinal) ? input : data);
            }
        return base.Run(input, path);
    }

    private static List<(string, byte[])> Entries(byte[] zipBytes)
    {
        using var zip = new ZipArchive(new MemoryStream(zipBytes), ZipArchiveMode.Read);
        return zip.Entries.Select(e =>
        {
            using var s = e.Open();
            var ms = new MemoryStream();
            s.CopyTo(ms);
            return (e.FullName, ms.ToArray());
        }).ToList();
    }

    // opcodes and values that reach the unpickler's edges: MARK/TUPLE/SETITEMS, memo ops, BINPERSID, long strings
    private static IReadOnlyList<byte[]> PickleTokens() =>
    [
        [(byte)'('], [(byte)'t'], [(byte)'u'], [(byte)'e'], [(byte)'R'], [(byte)'b'], [(byte)'Q'], [(byte)'.'], [(byte)'}'],
        [(byte)']'], [(byte)')'], [(byte)'N'], [0x85], [0x86], [0x87], [0x88], [0x94], [0x93],
        [0x8a, 0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f], [0x8a, 0x09], [(byte)'J', 0xff, 0xff, 0xff, 0x7f],
        [(byte)'q', 0], [(byte)'h', 0], [(byte)'r', 0xff, 0xff, 0xff, 0xff], [(byte)'j', 5, 0, 0, 0], [(byte)'X', 0xff, 0xff, 0xff, 0x7f],
        "ctorch._utils\n_rebuild_tensor_v2\n"u8.ToArray(), "ccollections\nOrderedDict\n"u8.ToArray(),
        "ctorch\nFloatStorage\n"u8.ToArray(), "cos\nsystem\n"u8.ToArray(), [0x8c, 0x07, .. "storage"u8], [0x8c, 0x03, .. "cpu"u8],
    ];
}

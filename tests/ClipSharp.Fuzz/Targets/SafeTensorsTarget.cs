using System.Buffers.Binary;
using System.Text;
using ClipSharp.Checkpoints;

namespace ClipSharp.Fuzz.Targets;

/// <summary>
/// safetensors header and body through <see cref="SafeTensorsFile"/> (what `clipsharp info` and every checkpoint load
/// use): open, validate, read every tensor. Most inputs mutate the JSON header and re-frame it with a correct length
/// prefix (so the parser, not the length check, sees them); the rest mutate the whole file.
/// </summary>
public sealed class SafeTensorsTarget(FuzzPaths paths) : FuzzTarget
{
    public override string Name => "safetensors";
    public override string Extension => ".safetensors";
    public override IReadOnlyList<byte[]> Dictionary => JsonTokens.All;

    protected override IReadOnlyList<byte[]> MakeSeeds()
    {
        var seeds = new List<byte[]>
        {
            Frame("""{"__metadata__":{"format":"pt"},"a":{"dtype":"F32","shape":[2,3],"data_offsets":[0,24]},"b":{"dtype":"I64","shape":[],"data_offsets":[24,32]}}""", 32),
            Frame("""{"e":{"dtype":"BF16","shape":[0,4],"data_offsets":[0,0]},"m":{"dtype":"BOOL","shape":[3],"data_offsets":[0,3]},"h":{"dtype":"F16","shape":[1,1,2],"data_offsets":[4,8]}}""", 8),
            Frame("""{"__metadata__":{"k":"v\u00e9\ud83d\ude00","n":"1"},"x\u0041":{"dtype":"U8","shape":[5],"data_offsets":[0,5]}}""", 5),
        };
        var file = Path.Combine(paths.RepoRoot, "tests", "ClipSharp.Tests", "Checkpoints", "Data", "pybridge_tensors.safetensors");
        if (File.Exists(file)) seeds.Add(File.ReadAllBytes(file));
        return seeds;
    }

    public override byte[] NextInput(Random rng)
    {
        var seed = Seeds[rng.Next(Seeds.Count)];
        if (rng.Next(10) < 3 || seed.Length < 8) return base.NextInput(rng);
        long n = BinaryPrimitives.ReadInt64LittleEndian(seed);
        var header = Mutator.Mutate(rng, seed[8..(int)(8 + n)], Seeds, Dictionary, 1 << 16);
        var data = rng.Next(4) == 0 ? Mutator.Mutate(rng, seed[(int)(8 + n)..], Seeds, [], 1 << 16) : seed[(int)(8 + n)..];
        return [.. Frame(header), .. data];
    }

    public override long Run(byte[] input, string path)
    {
        using var f = SafeTensorsFile.Open(path);
        long bytes = 0;
        foreach (var name in f.Entries.Keys)
        {
            using var t = f.Read(name);
            bytes += t.NumberOfElements * t.ElementSize;
        }
        return bytes;
    }

    private static byte[] Frame(string header, int dataBytes)
    {
        var data = new byte[dataBytes];
        for (int i = 0; i < data.Length; i++) data[i] = (byte)(i * 37);
        return [.. Frame(Encoding.UTF8.GetBytes(header)), .. data];
    }

    private static byte[] Frame(byte[] header)
    {
        var len = new byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(len, header.Length);
        return [.. len, .. header];
    }
}

using ClipSharp.Checkpoints;
using ClipSharp.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace ClipSharp.Tests.Distributed;

/// <summary>One `mpirun -np 2 clipsharp dist-selftest check` shared by the tests that read its per-rank results.</summary>
public sealed class DistCheckRun
{
    public const int World = 2;

    public DistCheckRun()
    {
        if (MpiRun.SkipReason is not null) return;
        var dir = TestPaths.NewTempDir("clipsharp-dist");
        Result = MpiRun.Cli(World, TimeSpan.FromSeconds(120), "dist-selftest", "check", "--out", dir, "--dist", "mpi");
        for (int r = 0; r < World; r++)
        {
            var f = Path.Combine(dir, $"rank{r}.safetensors");
            Ranks.Add(File.Exists(f) ? SafeTensorsFile.Load(f) : []);
        }
    }

    public MpiRun.Result? Result { get; }

    /// <summary>rank → name → tensor as written by that rank.</summary>
    public List<Dictionary<string, Tensor>> Ranks { get; } = [];

    public Tensor Get(int rank, string name) =>
        Ranks[rank].TryGetValue(name, out var t) ? t : throw new KeyNotFoundException($"rank {rank} wrote no '{name}'; run: {Result}");

    /// <summary>The ranks' tensors <paramref name="name"/> concatenated along dim 0 in rank order (the 1-process batch).</summary>
    public Tensor Concat(string name) => torch.cat(Enumerable.Range(0, World).Select(r => Get(r, name)).ToArray());
}

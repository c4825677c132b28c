using System.Collections;

namespace ClipSharp.Distributed;

/// <summary>
/// What the process launcher told this process about the job, read from its environment variables:
/// Open MPI's mpirun (OMPI_COMM_WORLD_RANK/_SIZE/_LOCAL_RANK), PMI-2 launchers such as MPICH's hydra or
/// <c>srun --mpi=pmi2</c> (PMI_RANK/PMI_SIZE), PMIx launchers such as <c>srun --mpi=pmix</c> (PMIX_RANK, with the
/// size from SLURM_NTASKS). Plain SLURM variables alone (a batch script) do not make a process distributed.
/// </summary>
public sealed record LaunchEnvironment(string Launcher, int Rank, int WorldSize, int LocalRank)
{
    /// <summary>True when a parallel launcher started this process.</summary>
    public bool IsLaunched => Launcher != "none";

    /// <summary>The environment of this process.</summary>
    public static LaunchEnvironment Current() => Detect(Environment.GetEnvironmentVariables());

    /// <summary>Reads the launcher variables from <paramref name="env"/> (name → value).</summary>
    public static LaunchEnvironment Detect(IDictionary env)
    {
        string? Get(string k) => env.Contains(k) ? env[k] as string : null;
        int? Int(params string[] keys)
        {
            foreach (var k in keys)
                if (Get(k) is { Length: > 0 } v && int.TryParse(v, out var i)) return i;
            return null;
        }

        var local = Int("OMPI_COMM_WORLD_LOCAL_RANK", "MPI_LOCALRANKID", "PMIX_LOCAL_RANK", "SLURM_LOCALID") ?? 0;
        if (Int("OMPI_COMM_WORLD_SIZE") is { } os)
            return new("mpirun (Open MPI)", Int("OMPI_COMM_WORLD_RANK") ?? 0, os, local);
        if (Int("PMI_SIZE") is { } ps)
            return new("PMI", Int("PMI_RANK") ?? 0, ps, local);
        if (Int("PMIX_RANK") is { } xr)
            return new("PMIx", xr, Int("PMIX_SIZE", "SLURM_NTASKS", "SLURM_NPROCS") ?? 1, local);
        return new("none", 0, 1, 0);
    }
}

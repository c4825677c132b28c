using ClipSharp.Core;
using TorchSharp;

namespace ClipSharp.Distributed;

/// <summary>Creates the collectives for this process.</summary>
public static class Collectives
{
    /// <summary>
    /// backend: "auto" (MPI when a parallel launcher started the process, NCCL on top of it when CUDA and libnccl are
    /// present; otherwise a world of one), "single", "mpi" or "nccl". "mpi"/"nccl" without a launcher make a 1-rank
    /// MPI job (Open MPI singleton). The environment variable CLIPSHARP_DIST_BACKEND overrides "auto".
    /// </summary>
    public static ICollectives FromEnvironment(string backend = "auto")
    {
        var launch = LaunchEnvironment.Current();
        if (backend == "auto" && Environment.GetEnvironmentVariable("CLIPSHARP_DIST_BACKEND") is { Length: > 0 } forced)
            backend = forced;
        switch (backend)
        {
            case "single":
                if (launch.WorldSize > 1)
                    throw new ClipSharpException($"Backend 'single' was requested but {launch.Launcher} started {launch.WorldSize} processes; use --dist auto or mpi.");
                return new SingleProcessCollectives();
            case "mpi":
                return new MpiCollectives(launch);
            case "nccl":
                return new NcclCollectives(new MpiCollectives(launch), launch.LocalRank);
            case "auto":
                if (!launch.IsLaunched) return new SingleProcessCollectives();
                var mpi = new MpiCollectives(launch);
                return torch.cuda.is_available() && NcclLibrary.TryLoad(out _) ? new NcclCollectives(mpi, launch.LocalRank) : mpi;
            default:
                throw new ClipSharpException($"Distributed backend '{backend}' is not one of auto, single, mpi, nccl.");
        }
    }
}

// ClipSharp.TestHost: the test-only executable. It runs the product CLI (`clipsharp ...`) with what tests need and a
// user never does: fault injection in training (CLIPSHARP_FAULT, see EnvironmentFaults) and two MPI programs that must
// run as separate processes under mpirun (dist-selftest: the distributed layer's self-test; dist-bench: step and
// all-reduce time of the real trainer on K ranks).
//   dotnet ClipSharp.TestHost.dll train --recipe R ...            (the CLI's train, with CLIPSHARP_FAULT honoured)
//   mpirun -np 2 dotnet ClipSharp.TestHost.dll dist-selftest check --out DIR
//   mpirun -np 2 dotnet ClipSharp.TestHost.dll dist-bench --recipe R --steps 20 --warmup 5
using ClipSharp.Cli;
using ClipSharp.TestHost;

return CliApp.Run(args, new CliHooks
{
    Faults = EnvironmentFaults.FromEnvironment(),
    ExtraCommands = [DistCommand.Create(), DistBenchCommand.Create()],
});

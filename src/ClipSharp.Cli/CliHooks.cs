using System.CommandLine;
using ClipSharp.Training;

namespace ClipSharp.Cli;

/// <summary>
/// What a host of the command tree may add: the test host passes training fault injection and its own MPI test
/// programs. The product executable passes none.
/// </summary>
public sealed record CliHooks
{
    /// <summary>Fault injection handed to every training run (null: none).</summary>
    public ITrainingFaults? Faults { get; init; }

    /// <summary>Commands added to the root (the test host's dist-selftest, dist-bench).</summary>
    public IReadOnlyList<Command> ExtraCommands { get; init; } = [];
}

namespace ClipSharp.Fuzz;

/// <summary>How long and how to fuzz one target.</summary>
/// <param name="Iterations">Inputs to run (the unmutated seeds first).</param>
/// <param name="Seed">The random seed: the same seed replays the same inputs.</param>
/// <param name="TimeLimit">Stop earlier when this much time has passed (null: no limit).</param>
/// <param name="CrashDir">Where failing inputs are saved as &lt;target&gt;/&lt;kind&gt;-&lt;hash&gt;.bin (null: not saved).</param>
/// <param name="SlowLimit">An input whose run takes more CPU time than this is a "Slow" failure.</param>
/// <param name="HangLimit">With a value, a watchdog saves an input still running after this long and ends the process
/// (exit code 3); null in tests, where ending the process is not an option.</param>
/// <param name="Progress">Where a progress line goes every 10 s (null: quiet).</param>
public sealed record FuzzOptions(
    long Iterations,
    int Seed,
    TimeSpan? TimeLimit = null,
    string? CrashDir = null,
    TimeSpan? SlowLimit = null,
    TimeSpan? HangLimit = null,
    TextWriter? Progress = null)
{
    /// <summary>The contract's 1 s per input.</summary>
    public TimeSpan Slow => SlowLimit ?? TimeSpan.FromSeconds(1);
}

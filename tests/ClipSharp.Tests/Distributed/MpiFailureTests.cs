using Xunit.Abstractions;

namespace ClipSharp.Tests.Distributed;

/// <summary>A rank that dies or fails must end the whole job with an error within a bounded time, never hang.</summary>
[Collection("Mpi")]
public class MpiFailureTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    [MpiFact]
    public void KillingOneRankEndsTheJobWithAnError()
    {
        var res = MpiRun.Cli(2, TimeSpan.FromSeconds(90), "dist-selftest", "kill", "--dist", "mpi");
        output.WriteLine(res.ToString());
        Assert.False(res.TimedOut, res.ToString());
        Assert.NotEqual(0, res.Code);
        Assert.True(res.Elapsed < Bound, $"the job took {res.Elapsed.TotalSeconds:F1} s to end (bound {Bound.TotalSeconds} s)");
        Assert.DoesNotContain("still running", res.Err);
    }

    [MpiFact]
    public void AnExceptionOnOneRankAbortsTheJobWithItsMessage()
    {
        var res = MpiRun.Cli(2, TimeSpan.FromSeconds(90), "dist-selftest", "throw", "--dist", "mpi");
        output.WriteLine(res.ToString());
        Assert.False(res.TimedOut, res.ToString());
        Assert.NotEqual(0, res.Code);
        Assert.True(res.Elapsed < Bound, $"the job took {res.Elapsed.TotalSeconds:F1} s to end (bound {Bound.TotalSeconds} s)");
        Assert.Contains("error: rank 1/2: dist-selftest throw failed: injected failure on rank 1", res.Err);
    }
}

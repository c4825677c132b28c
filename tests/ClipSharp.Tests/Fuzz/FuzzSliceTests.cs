using ClipSharp.Fuzz;
using ClipSharp.Tests.Support;
using Xunit.Abstractions;

namespace ClipSharp.Tests.Fuzz;

/// <summary>
/// A short, seeded slice of every fuzz target (tests/ClipSharp.Fuzz; the long campaign command is in README.md): the
/// same harness code and contract (a result or a ClipSharpException naming the file, under 1 s, allocations under the
/// target's cap), a fixed seed so a failure replays, and the failures printed with their input bytes.
/// </summary>
public class FuzzSliceTests(ITestOutputHelper output)
{
    private const int Seed = 20261206;

    // The tokenizer targets read the reference vocabularies in ../shared: they skip with the reason where it is missing.
    private static readonly string[] NeedShared = ["bpe", "wordpiece"];

    public static TheoryData<string> Targets => new(FuzzTargets.Names.Where(n => !NeedShared.Contains(n)));

    public static TheoryData<string> SharedTargets => new(FuzzTargets.Names.Where(NeedShared.Contains));

    [Theory]
    [MemberData(nameof(Targets))]
    public void SeededSliceKeepsTheReaderContract(string target) => Slice(target);

    [SharedTheory]
    [MemberData(nameof(SharedTargets))]
    public void SeededSliceKeepsTheTokenizerContract(string target) => Slice(target);

    private void Slice(string target)
    {
        int iterations = target == "image" ? 800 : 2500; // about a second each on the 2-core machine
        var runner = new FuzzRunner(FuzzTargets.Create(target, new FuzzPaths(TestPaths.RepoRoot, TestPaths.Fixtures)),
            new FuzzOptions(iterations, Seed));
        var report = runner.Run();
        output.WriteLine(report.ToString());
        Assert.Equal(iterations, report.Inputs);
        Assert.True(report.Accepted > 0, $"no input was read successfully, so the slice tests nothing: {report}");
        Assert.True(report.FailureTotal == 0, report.ToString());
    }

    // The harness itself must be able to fail: a reader that throws something other than ClipSharpException is counted.
    [Fact]
    public void HarnessCountsAnUnexpectedExceptionAsAFailure()
    {
        var report = new FuzzRunner(new ThrowingTarget(), new FuzzOptions(10, Seed)).Run();
        Assert.Equal(10, report.FailureCounts["FormatException"]);
        Assert.Equal(10, report.Inputs);
    }

    [Fact]
    public void MutationsReplayFromTheSeed()
    {
        var target = FuzzTargets.Create("safetensors", new FuzzPaths(TestPaths.RepoRoot, TestPaths.Fixtures));
        var a = new Random(7);
        var b = new Random(7);
        for (int i = 0; i < 50; i++) Assert.Equal(target.NextInput(a), target.NextInput(b));
    }

    private sealed class ThrowingTarget : FuzzTarget
    {
        public override string Name => "throwing";
        protected override IReadOnlyList<byte[]> MakeSeeds() => [[1, 2, 3]];
        public override long Run(byte[] input, string path) => throw new FormatException("not a ClipSharpException");
    }
}

using ClipSharp.Text;

namespace ClipSharp.Tests.Text;

public class CaptionTargetsTests
{
    [Fact]
    public void ShortCaptionIsShiftedWithEosAndPadding()
    {
        var t = CaptionTargets.Build([11, 12, 13], 8, bosId: 1, eosId: 2);
        Assert.Equal(new long[] { 11, 12, 13, 2, 0, 0, 0, 0 }, t.Targets);
        Assert.Equal(new float[] { 1, 1, 1, 1, 0, 0, 0, 0 }, t.Mask);
        Assert.Equal(4, t.ValidCount);
    }

    [Fact]
    public void ExactlyFullAndTruncatedCaptionsEndWithEos()
    {
        // [1] + 7 ids + [2] = 9 > Q = 8: y = [1, 11..16, 2] -> targets = [11..16, 2, 0]
        var full = CaptionTargets.Build([11, 12, 13, 14, 15, 16, 17], 8, 1, 2);
        Assert.Equal(new long[] { 11, 12, 13, 14, 15, 16, 2, 0 }, full.Targets);
        Assert.Equal(7, full.ValidCount);
        var longer = CaptionTargets.Build(Enumerable.Range(10, 50).ToArray(), 8, 1, 2);
        Assert.Equal(new long[] { 10, 11, 12, 13, 14, 15, 2, 0 }, longer.Targets);
        Assert.Equal(0f, longer.Mask[7]);
        // [1] + 6 ids + [2] = 8 = Q: not truncated, eos at 7 -> target 6
        var fits = CaptionTargets.Build([11, 12, 13, 14, 15, 16], 8, 1, 2);
        Assert.Equal(new long[] { 11, 12, 13, 14, 15, 16, 2, 0 }, fits.Targets);
    }

    [Fact]
    public void EmptyCaptionPredictsOnlyEos()
    {
        var t = CaptionTargets.Build([], 4, 49406, 49407);
        Assert.Equal(new long[] { 49407, 0, 0, 0 }, t.Targets);
        Assert.Equal(1, t.ValidCount);
    }
}

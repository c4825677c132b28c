using ClipSharp.Data.Images;

namespace ClipSharp.Tests.Data.Images;

/// <summary>
/// ToTensor + Normalize: the vector loop (AVX-512 where the CPU has it) against the per-channel table loop and against
/// (v / 255f - mean) / std written out, bit for bit, on random pixels, odd pixel counts and several mean/std sets.
/// </summary>
public class ImageTensorsTests
{
    public static IEnumerable<object[]> Cases()
    {
        float[][] means = [[0.48145466f, 0.4578275f, 0.40821073f], [0.5f, 0.5f, 0.5f], [0.485f, 0.456f, 0.406f]];
        float[][] stds = [[0.26862954f, 0.26130258f, 0.27577711f], [0.5f, 0.5f, 0.5f], [0.229f, 0.224f, 0.225f]];
        foreach (int pixels in new[] { 1, 15, 16, 21, 22, 23, 37, 224 * 224 })
            for (int s = 0; s < means.Length; s++)
                yield return [pixels, means[s], stds[s]];
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void VectorLoopMatchesTableAndFormula(int pixels, float[] mean, float[] std)
    {
        var rng = new Random(pixels);
        var hwc = new byte[pixels * 3];
        rng.NextBytes(hwc);
        if (pixels >= 256) for (int v = 0; v < 256; v++) hwc[v * 3] = hwc[v * 3 + 1] = hwc[v * 3 + 2] = (byte)v; // every level
        var fast = new float[pixels * 3];
        var table = new float[pixels * 3];
        ImageTensors.NormalizeInto(hwc, fast, pixels, mean, std);
        ImageTensors.NormalizeInto(hwc, table, pixels, mean, std, vector: false);
        for (int i = 0; i < pixels * 3; i++)
        {
            int c = i / pixels, p = i % pixels;
            float expected = ((float)hwc[p * 3 + c] / 255f - mean[c]) / std[c];
            Assert.True(BitConverter.SingleToInt32Bits(expected) == BitConverter.SingleToInt32Bits(table[i]),
                $"table: channel {c} pixel {p} value {hwc[p * 3 + c]}: {table[i]:R} vs {expected:R}");
            Assert.True(BitConverter.SingleToInt32Bits(expected) == BitConverter.SingleToInt32Bits(fast[i]),
                $"vector: channel {c} pixel {p} value {hwc[p * 3 + c]}: {fast[i]:R} vs {expected:R}");
        }
    }
}

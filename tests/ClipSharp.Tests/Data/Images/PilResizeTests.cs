using ClipSharp.Data.Images;

namespace ClipSharp.Tests.Data.Images;

/// <summary>
/// The vector paths of <see cref="PilResize"/> (<see cref="ResizeKernel"/>: AVX-512 and AVX2 multiply-add horizontal
/// passes, AVX2 vertical pass, SSE4.1 fallback; each as far as this CPU has it) against its scalar loops
/// (<see cref="ResizeKernel.Scalar"/>, Pillow's Resample.c arithmetic written out), byte for byte, on
/// random images of odd sizes with 1-4 bands, reductions and enlargements, both filters, and output windows touching
/// every edge; the source buffers end exactly at the last pixel so the padded-row route is taken.
/// </summary>
public class PilResizeTests
{
    public static IEnumerable<object[]> Cases()
    {
        foreach (int bands in new[] { 1, 2, 3, 4 })
            foreach (var filter in new[] { Interpolation.Bicubic, Interpolation.Bilinear })
                foreach (var (inW, inH, outW, outH) in new[]
                {
                    (500, 375, 298, 224), (375, 500, 224, 298), (37, 23, 11, 7), (13, 9, 31, 27), (7, 5, 3, 2),
                    (1, 1, 5, 3), (5, 3, 1, 1), (101, 3, 50, 3), (3, 101, 3, 50), (640, 17, 33, 17), (19, 47, 201, 3),
                })
                    yield return [bands, filter, inW, inH, outW, outH];
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void VectorPathsMatchScalarReference(int bands, Interpolation filter, int inW, int inH, int outW, int outH)
    {
        var rng = new Random(inW * 7919 + inH * 31 + outW * 7 + outH + bands * 100003);
        var src = new byte[inW * inH * bands];
        rng.NextBytes(src);
        // Sharp extremes too: runs of 0 and 255 drive the sums past [0, 255 * 2^22] where the clipping acts.
        for (int i = 0; i < src.Length; i += 1 + rng.Next(5)) src[i] = (byte)(rng.Next(2) * 255);
        foreach (var (cx, cy, cw, ch) in Windows(outW, outH, rng))
        {
            var slow = Run(src, bands, inW, inH, outW, outH, filter, cx, cy, cw, ch, ResizeKernel.Scalar);
            foreach (var kernel in new[] { ResizeKernel.Best, ResizeKernel.Avx2, ResizeKernel.Vector128 })
            {
                var fast = Run(src, bands, inW, inH, outW, outH, filter, cx, cy, cw, ch, kernel);
                int bad = fast.AsSpan().CommonPrefixLength(slow);
                Assert.True(bad == fast.Length, $"{kernel}: {bands} bands {filter} {inW}x{inH} -> {outW}x{outH} window ({cx}, {cy}, {cw}, {ch}): " +
                    $"first mismatch at byte {bad} (pixel {bad / bands}, band {bad % bands}): {(bad < fast.Length ? $"{fast[bad]} vs {slow[bad]}" : "")}");
            }
        }
    }

    [Fact]
    public void PairedWeightsRecombineToPillowWeights()
    {
        foreach (var (inS, outS) in new[] { (500, 298), (375, 224), (7, 31), (1000, 3), (3, 1) })
            foreach (var filter in new[] { Interpolation.Bicubic, Interpolation.Bilinear })
            {
                var k = ResampleCoefficients.Get(inS, outS, filter);
                foreach (var (table, taps, blocks) in new[] { (k.PairedWeights, 4, k.Chunks), (k.PairedWeights8, 8, k.Blocks) })
                {
                    Assert.NotNull(table);
                    var paired = table!.Value;
                    Assert.Equal(outS * blocks * 8 * taps, paired.Count);
                    for (int x = 0; x < outS; x++)
                        for (int tap = 0; tap < blocks * taps; tap++)
                        {
                            int block = tap / taps, lane = (tap % taps) / 2, t = tap % 2;
                            for (int c = 0; c < 4; c++)
                            {
                                int pos = (x * blocks + block) * 8 * taps + 8 * lane + 2 * c + t;
                                int expected = tap < k.Count[x] ? k.Weights[x * k.KSize + tap] : 0;
                                Assert.Equal(expected, paired[pos + 4 * taps] * 2048 + paired[pos]);
                                Assert.InRange(paired[pos], (short)0, (short)2047);
                            }
                        }
                }
            }
    }

    // The whole output, its corners, one-pixel strips along each edge, and a random interior window.
    private static IEnumerable<(int, int, int, int)> Windows(int w, int h, Random rng)
    {
        yield return (0, 0, w, h);
        yield return (0, 0, (w + 1) / 2, (h + 1) / 2);
        yield return (w / 2, h / 2, w - w / 2, h - h / 2);
        yield return (w - 1, 0, 1, h);
        yield return (0, h - 1, w, 1);
        int x = rng.Next(w), y = rng.Next(h);
        yield return (x, y, 1 + rng.Next(w - x), 1 + rng.Next(h - y));
    }

    private static byte[] Run(byte[] src, int bands, int inW, int inH, int outW, int outH, Interpolation filter,
        int cx, int cy, int cw, int ch, ResizeKernel kernel) =>
        PilResize.Resize(src, bands, inW, inH, outW, outH, filter, cx, cy, cw, ch, kernel);
}

using System.Diagnostics;
using ClipSharp.Data.Images;
using ClipSharp.Tests.Support;
using Xunit.Abstractions;

namespace ClipSharp.Tests.Data.Images;

/// <summary>
/// A measurement, not a test: microseconds per decode (bytes in memory -> DecodedImage) with libvips and with the
/// Skia JPEG fast path, on 64-pixel JPEGs (the built-in world's size) and on ../shared/bench/jpegs-500x375. Does
/// nothing unless CLIPSHARP_IMAGE_BENCH=1:
/// <c>CLIPSHARP_IMAGE_BENCH=1 dotnet test tests/ClipSharp.Tests -c Release --filter FullyQualifiedName~DecodeProbe --logger "console;verbosity=detailed"</c>
/// </summary>
public class DecodeProbe(ITestOutputHelper output)
{
    [Fact]
    public void MicrosecondsPerDecode()
    {
        if (Environment.GetEnvironmentVariable("CLIPSHARP_IMAGE_BENCH") != "1") return;
        byte[][] Generated(int size) => Enumerable.Range(0, 16).Select(i =>
        {
            using var img = TestImages.Rgb(size, size).Flip(i % 2 == 0 ? NetVips.Enums.Direction.Horizontal : NetVips.Enums.Direction.Vertical);
            return img.JpegsaveBuffer(q: 90 - i);
        }).ToArray();
        var bench = Directory.GetFiles(Path.Combine(TestPaths.SharedRoot, "bench", "jpegs-500x375"), "*.jpg")
            .Order(StringComparer.Ordinal).Take(50).Select(File.ReadAllBytes).ToArray();
        foreach (var (name, data, n) in new[] { ("64x64", Generated(64), 4000), ("128x128", Generated(128), 1500), ("224x224", Generated(224), 600), ("500x375", bench, 300) })
            foreach (bool fast in new[] { false, true, false, true })
            {
                var decoder = new ImageDecoder(new ImageDecoderOptions(FastJpeg: fast, FastJpegMaxPixels: long.MaxValue));
                for (int i = 0; i < n / 10; i++) using (decoder.Decode(data[i % data.Length], "x.jpg")) { }
                var sw = Stopwatch.StartNew();
                for (int i = 0; i < n; i++) using (decoder.Decode(data[i % data.Length], "x.jpg")) { }
                output.WriteLine($"{name} {(fast ? "fast path" : "libvips  ")}: {sw.Elapsed.TotalMicroseconds / n,7:F1} us/image ({n} decodes)");
            }
    }
}

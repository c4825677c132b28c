using System.Diagnostics;
using ClipSharp.Data.Images;
using ClipSharp.Tests.Support;
using Xunit.Abstractions;

namespace ClipSharp.Tests.Data.Images;

/// <summary>
/// A measurement, not a test: decode + resize 224 bicubic + centre crop + normalize over ../shared/bench/jpegs-500x375
/// with 1 and 2 worker threads. Does nothing unless CLIPSHARP_IMAGE_BENCH=1:
/// <c>CLIPSHARP_IMAGE_BENCH=1 dotnet test tests/ClipSharp.Tests -c Release --filter FullyQualifiedName~ThroughputProbe --logger "console;verbosity=detailed"</c>
/// </summary>
public class ThroughputProbe(ITestOutputHelper output)
{
    [Fact]
    public void DecodeAndPreprocessImagesPerSecond()
    {
        if (Environment.GetEnvironmentVariable("CLIPSHARP_IMAGE_BENCH") != "1") return;
        var files = Directory.GetFiles(Path.Combine(TestPaths.SharedRoot, "bench", "jpegs-500x375"), "*.jpg").Order().ToArray();
        var transform = new EvalTransform(PreprocessConfig.OpenAi());
        void Run(string[] part)
        {
            foreach (var f in part)
            {
                using var img = transform.Decode(f);
                using var t = transform.Apply(img);
            }
        }
        Run(files[..50]); // warm-up
        foreach (int threads in new[] { 1, 2, 1, 2 })
        {
            var sw = Stopwatch.StartNew();
            var parts = Enumerable.Range(0, threads).Select(k => files.Where((_, i) => i % threads == k).ToArray()).ToArray();
            var workers = parts.Select(p => new Thread(() => Run(p))).ToArray();
            foreach (var w in workers) w.Start();
            foreach (var w in workers) w.Join();
            output.WriteLine($"{threads} thread(s): {files.Length / sw.Elapsed.TotalSeconds:F0} images/s ({files.Length} images, {sw.Elapsed.TotalSeconds:F2} s)");
        }
    }
}

using ClipSharp.Core;
using ClipSharp.Data.Images;

namespace ClipSharp.Bench;

/// <summary>
/// The eval image pipeline on the reference's JPEGs: read + decode (full size, no shrink-on-load, like Pillow) +
/// resize 224 bicubic (shortest side) + centre crop + ToTensor/Normalize into a float32 batch buffer, on 1 or more
/// threads (each image on one thread, like DataLoader workers). Samples/s = files / median pass time.
/// </summary>
public static class ImagePipelineBenchmark
{
    public static BenchResult Run(string name, string description, string folder, int threads, BenchOptions o)
    {
        if (!Directory.Exists(folder))
            throw new ClipSharpException($"Benchmark image folder '{folder}' does not exist (set --shared or CLIPSHARP_SHARED).");
        var files = Directory.GetFiles(folder, "*.jpg").Order(StringComparer.Ordinal).ToArray();
        if (files.Length == 0) throw new ClipSharpException($"Benchmark image folder '{folder}' holds no .jpg files.");
        var transform = new EvalTransform(PreprocessConfig.OpenAi(224), new ImageDecoder(new ImageDecoderOptions(ShrinkOnLoad: false)));
        int n = 3 * 224 * 224;
        var buffer = new float[files.Length * n];
        void One(int i)
        {
            using var img = transform.Decode(files[i]);
            transform.ApplyInto(img, buffer.AsSpan(i * n, n));
        }
        void Pass()
        {
            if (threads == 1) for (int i = 0; i < files.Length; i++) One(i);
            else Parallel.For(0, files.Length, new ParallelOptions { MaxDegreeOfParallelism = threads }, One);
        }
        var times = Timing.Measure(Pass, 1, o.Quick ? 2 : 3);
        double s = Timing.Median(times);
        return new BenchResult
        {
            Name = name,
            Description = description,
            Value = files.Length / s,
            Unit = "samples/s",
            RepeatSeconds = times,
            MedianSeconds = s,
            PeakRssMiB = ProcessMemory.PeakRssMiB(),
            Details = new Dictionary<string, string> { ["files"] = files.Length.ToString(), ["threads"] = threads.ToString() },
        };
    }
}

using System.Diagnostics;
using System.Globalization;
using ClipSharp.Core;
using ClipSharp.Data.Images;

namespace ClipSharp.Bench;

/// <summary>
/// JPEG decode alone (bytes in memory → DecodedImage, full size, one thread) per route: libvips, libturbojpeg (when
/// libturbojpeg.so.0 is installed) and Skia's codec, on ../shared/bench/jpegs-500x375 and on 64×64 JPEGs made from the
/// first of them (the built-in world's size). The value is the default decoder's µs per 500×375 image; the details
/// hold every route and size. Every route's output is bit-identical to libvips' (Data/Images tests), so this is speed only.
/// </summary>
public static class JpegDecodeBenchmark
{
    public static BenchResult Run(string folder, BenchOptions o)
    {
        if (!Directory.Exists(folder))
            throw new ClipSharpException($"Benchmark image folder '{folder}' does not exist (set --shared or CLIPSHARP_SHARED).");
        var large = Directory.GetFiles(folder, "*.jpg").Order(StringComparer.Ordinal).Take(100).Select(File.ReadAllBytes).ToArray();
        if (large.Length == 0) throw new ClipSharpException($"Benchmark image folder '{folder}' holds no .jpg files.");
        var small = large.Take(32).Select(b =>
        {
            using var t = NetVips.Image.ThumbnailBuffer(b, 64, height: 64, crop: NetVips.Enums.Interesting.Centre);
            return t.JpegsaveBuffer(q: 90);
        }).ToArray();
        var details = new Dictionary<string, string>();
        if (!TurboJpeg.IsAvailable) details["libturbojpeg"] = "not installed: its row is the Skia/libvips fallback";
        var routes = new (string Name, ImageDecoder Decoder)[]
        {
            ("default", new ImageDecoder(ImageDecoderOptions.Default)),
            ("libvips", new ImageDecoder(new ImageDecoderOptions(FastJpeg: false, TurboJpeg: false))),
            ("libturbojpeg", new ImageDecoder(new ImageDecoderOptions(FastJpeg: true, TurboJpeg: true))),   // the fast path takes libturbojpeg first
            ("skia", new ImageDecoder(new ImageDecoderOptions(FastJpeg: true, FastJpegMaxPixels: long.MaxValue, TurboJpeg: false))),
            // what an ONNX Runtime app without NetVips.Native decodes with (libturbojpeg where installed, else Skia)
            ("no-libvips", new ImageDecoder(ImageDecoderOptions.Default, skiaLoads: null, vipsLoads: () => false)),
        };
        double[] defaultTimes = [];
        foreach (var (size, data, n) in new[] { ("500x375", large, o.Quick ? 100 : 300), ("64x64", small, o.Quick ? 500 : 3000) })
            foreach (var (route, decoder) in routes)
            {
                var times = Timing.Measure(() =>
                {
                    for (int i = 0; i < n; i++) using (decoder.Decode(data[i % data.Length], "bench.jpg")) { }
                }, 1, o.Quick ? 2 : 3).Select(s => s / n).ToArray();
                details[$"{route}_{size}_us"] = (Timing.Median(times) * 1e6).ToString("F1", CultureInfo.InvariantCulture);
                if (route == "default" && size == "500x375") defaultTimes = times;
            }
        PngRoutes(large, o, details);
        double median = Timing.Median(defaultTimes);
        return new BenchResult
        {
            Name = "jpeg-decode",
            Description = "JPEG decode 500x375, default route, 1 thread",
            Value = median * 1e6,
            Unit = "us/image",
            RepeatSeconds = defaultTimes,
            MedianSeconds = median,
            PeakRssMiB = ProcessMemory.PeakRssMiB(),
            Details = details,
        };
    }

    // PNG (the same 500x375 photos, RGB, libvips' default compression): libvips vs Skia, the decoder without libvips.
    private static void PngRoutes(byte[][] jpegs, BenchOptions o, Dictionary<string, string> details)
    {
        var pngs = jpegs.Take(16).Select(b => { using var i = NetVips.Image.NewFromBuffer(b); return i.PngsaveBuffer(); }).ToArray();
        int n = o.Quick ? 50 : 200;
        foreach (var (route, decoder) in new[] { ("libvips", new ImageDecoder()), ("no-libvips", new ImageDecoder(null, null, () => false)) })
        {
            var times = Timing.Measure(() =>
            {
                for (int i = 0; i < n; i++) using (decoder.Decode(pngs[i % pngs.Length], "bench.png")) { }
            }, 1, o.Quick ? 2 : 3).Select(s => s / n).ToArray();
            details[$"png_{route}_500x375_us"] = (Timing.Median(times) * 1e6).ToString("F1", CultureInfo.InvariantCulture);
        }
    }
}

using System.Diagnostics;
using System.Formats.Tar;
using System.Text.Json.Nodes;
using ClipSharp.Scenes;
using ClipSharp.Tests.Support;

namespace ClipSharp.Tests.Data.Images;

/// <summary>
/// libvips' "VIPS-WARNING" lines on corrupt JPEGs do not reach the console: the CLI routes them to the decode that
/// caused them, so a bad sample's reason names them and usable-but-warned images are counted by <c>data inspect</c>.
/// </summary>
public class VipsWarningsTests
{
    [Fact]
    public void DataInspectOnCorruptJpegsPrintsNoRawLibvipsWarnings()
    {
        var dir = TestPaths.NewTempDir("vipswarn");
        WorldGenerator.Generate(new WorldGenerationOptions(Path.Combine(dir, "w"), Train: 12, Eval: 0, Bags: 0, ImageSize: 64, Seed: 3, Threads: 1, ShardSize: 12));
        var shard = Path.Combine(dir, "bad.tar");
        Corrupt(Path.Combine(dir, "w", "train", "train-000000.tar"), shard);

        var (code, stdout, stderr) = RunCli("data", "inspect", "--source", shard);
        Assert.True(code == 0, stderr);
        Assert.DoesNotContain("VIPS-WARNING", stderr);
        var report = JsonNode.Parse(stdout[stdout.IndexOf('{')..])!;
        var warned = report["decoder_warnings"]!;
        // the image with an early end-of-image marker decodes (grey below the marker, as Pillow) with libvips' warning
        Assert.True(warned["images"]!.GetValue<long>() >= 1, stdout);
        Assert.Contains("Corrupt JPEG data", warned["examples"]!.ToJsonString());
        Assert.True(report["usable_images"]!.GetValue<long>() + (report["bad_samples"]!["total"]?.GetValue<long>() ?? 0) == 12, stdout);
    }

    // Truncates one JPEG in half (a bad sample) and puts an end-of-image marker a third into another (libvips decodes
    // it and warns "Corrupt JPEG data: premature end of data segment").
    private static void Corrupt(string source, string target)
    {
        using var reader = new TarReader(File.OpenRead(source));
        using var writer = new TarWriter(File.Create(target), TarEntryFormat.Ustar, leaveOpen: false);
        int jpeg = 0;
        while (reader.GetNextEntry() is { } e)
        {
            var ms = new MemoryStream();
            e.DataStream!.CopyTo(ms);
            var b = ms.ToArray();
            if (e.Name.EndsWith(".jpg", StringComparison.Ordinal))
            {
                if (jpeg == 0) b = b[..(b.Length / 2)];
                else if (jpeg == 1) (b[b.Length / 3], b[b.Length / 3 + 1]) = (0xFF, 0xD9);
                jpeg++;
            }
            writer.WriteEntry(new UstarTarEntry(TarEntryType.RegularFile, e.Name) { DataStream = new MemoryStream(b) });
        }
    }

    private static (int Code, string Out, string Err) RunCli(params string[] args)
    {
        var psi = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet")
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "ClipSharp.Cli.dll"));
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromMinutes(2))) { p.Kill(entireProcessTree: true); throw new TimeoutException("clipsharp data inspect hung"); }
        return (p.ExitCode, stdout.Result, stderr.Result);
    }
}

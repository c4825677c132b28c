using System.Diagnostics;

namespace ClipSharp.Tests.Support;

/// <summary>A fact checked in a real headless Chromium (Debian's `chromium`, installed by .ci/run): skipped with the
/// reason where no Chromium executable is on PATH.</summary>
public sealed class ChromiumFactAttribute : FactAttribute
{
    public ChromiumFactAttribute()
    {
        if (HeadlessChromium.Executable is null) Skip = "no chromium / chromium-browser / google-chrome on PATH (apt-get install chromium)";
    }
}

/// <summary>Runs headless Chromium on a page and saves a screenshot.</summary>
public static class HeadlessChromium
{
    /// <summary>The first Chromium-family executable on PATH, or null.</summary>
    public static string? Executable { get; } = new[] { "chromium", "chromium-browser", "google-chrome" }
        .SelectMany(n => (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Select(d => Path.Combine(d, n)))
        .FirstOrDefault(File.Exists);

    /// <summary>Renders <paramref name="htmlPath"/> at the given window size into <paramref name="pngPath"/>.</summary>
    public static void Screenshot(string htmlPath, string pngPath, int width = 1280, int height = 2400)
    {
        var profile = TestPaths.NewTempDir("chromium-profile");
        var psi = new ProcessStartInfo(Executable ?? throw new InvalidOperationException("no chromium"))
        {
            RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false,
        };
        foreach (var a in new[] { "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", $"--user-data-dir={profile}",
                     $"--window-size={width},{height}", $"--screenshot={pngPath}", new Uri(Path.GetFullPath(htmlPath)).AbsoluteUri })
            psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync();
        _ = p.StandardOutput.ReadToEndAsync();
        if (!p.WaitForExit(120_000)) { p.Kill(true); throw new TimeoutException($"chromium did not finish rendering {htmlPath} in 120 s"); }
        if (!File.Exists(pngPath)) throw new InvalidOperationException($"chromium wrote no screenshot (exit {p.ExitCode}): {stderr.Result}");
    }
}

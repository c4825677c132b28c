namespace ClipSharp.Bench;

/// <summary>Peak resident set size of this process, from /proc/self/status (Linux); null elsewhere.</summary>
public static class ProcessMemory
{
    /// <summary>VmHWM ("high water mark" of the resident set) in MiB.</summary>
    public static double? PeakRssMiB() => ReadKiB("VmHWM:") is { } kb ? kb / 1024.0 : null;

    /// <summary>VmRSS (current resident set) in MiB.</summary>
    public static double? CurrentRssMiB() => ReadKiB("VmRSS:") is { } kb ? kb / 1024.0 : null;

    private static long? ReadKiB(string key)
    {
        const string path = "/proc/self/status";
        if (!File.Exists(path)) return null;
        foreach (var line in File.ReadLines(path))
        {
            if (!line.StartsWith(key, StringComparison.Ordinal)) continue;
            var parts = line[key.Length..].Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
            return long.TryParse(parts[0], out var v) ? v : null;
        }
        return null;
    }
}

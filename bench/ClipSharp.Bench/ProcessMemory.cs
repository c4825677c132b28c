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

/// <summary>Minor page faults and user/system CPU seconds of this process so far (Linux /proc/self/stat).</summary>
public readonly record struct ProcessCounters(long MinorFaults, double UserSeconds, double SystemSeconds)
{
    public static ProcessCounters Read()
    {
        var p = System.Diagnostics.Process.GetCurrentProcess();
        long faults = 0;
        if (File.Exists("/proc/self/stat"))
        {
            var stat = File.ReadAllText("/proc/self/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            faults = long.Parse(fields[7]); // field 10 (minflt), counted from field 3 (state)
        }
        return new ProcessCounters(faults, p.UserProcessorTime.TotalSeconds, p.PrivilegedProcessorTime.TotalSeconds);
    }

    /// <summary>Per-repeat differences as detail strings.</summary>
    public static IEnumerable<KeyValuePair<string, string>> PerRepeat(ProcessCounters before, ProcessCounters after, int repeats)
    {
        yield return KeyValuePair.Create("minor_faults_per_step", ((after.MinorFaults - before.MinorFaults) / repeats).ToString());
        yield return KeyValuePair.Create("user_cpu_s_per_step", ((after.UserSeconds - before.UserSeconds) / repeats).ToString("F3", System.Globalization.CultureInfo.InvariantCulture));
        yield return KeyValuePair.Create("sys_cpu_s_per_step", ((after.SystemSeconds - before.SystemSeconds) / repeats).ToString("F3", System.Globalization.CultureInfo.InvariantCulture));
    }
}

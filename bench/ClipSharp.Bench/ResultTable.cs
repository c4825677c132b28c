using System.Globalization;
using System.Text;

namespace ClipSharp.Bench;

/// <summary>The console table of a <see cref="BenchReport"/> (plain text, fixed-width columns).</summary>
public static class ResultTable
{
    public static string Format(BenchReport report)
    {
        var ic = CultureInfo.InvariantCulture;
        var rows = new List<string[]>
        {
            new[] { "benchmark", "value", "unit", "ref", "ratio", "target", "GFLOP/s", "% ceil", "peak MiB", "pass" },
        };
        foreach (var r in report.Results)
        {
            string target = r.Target is { } t ? $">={t.ToString("0.0#", ic)}x" : "";
            if (r.CeilingTarget is { } ct) target += (target.Length > 0 ? ", " : "") + $">={ct * 100:0}% ceil";
            rows.Add(
            [
                r.Description,
                r.Value.ToString(r.Value >= 100 ? "F0" : "F2", ic),
                r.Unit,
                r.Reference?.ToString("0.##", ic) ?? "",
                r.Ratio is { } ratio ? ratio.ToString("0.00", ic) + "x" : "",
                target,
                r.AchievedGflops?.ToString("F1", ic) ?? "",
                r.CeilingFraction is { } f ? (f * 100).ToString("F0", ic) + "%" : "",
                r.PeakRssMiB?.ToString("F0", ic) ?? "",
                r.Pass switch { true => "PASS", false => "FAIL", null => "" },
            ]);
        }
        var widths = Enumerable.Range(0, rows[0].Length).Select(c => rows.Max(row => row[c].Length)).ToArray();
        var sb = new StringBuilder();
        for (int i = 0; i < rows.Count; i++)
        {
            sb.AppendLine(string.Join(" | ", rows[i].Select((cell, c) => c is 0 or 2 or 5 ? cell.PadRight(widths[c]) : cell.PadLeft(widths[c]))).TrimEnd());
            if (i == 0) sb.AppendLine(string.Join("-+-", widths.Select(w => new string('-', w))));
        }
        sb.AppendLine($"threads {report.Threads} of {report.LogicalCores} cores; load average at start {report.LoadAverageAtStart}; " +
                      $"libtorch {report.LibTorch}; matmul ceiling {report.CeilingGflops?.ToString("F1", ic) ?? "n/a"} GFLOP/s");
        if (report.ClipsPartialSaving is { } s)
            sb.AppendLine($"CLIPS partial caption 32 vs 80 tokens: step {s.StepSeconds32:F3} s vs {s.StepSeconds80:F3} s " +
                          $"(time {-s.TimeSaving * 100:+0.0;-0.0}%, {s.Speedup:F2}x faster; FLOPs {-s.FlopSaving * 100:+0.0;-0.0}%" +
                          (s.PeakRssSavingMiB is { } m ? $"; peak RSS {-m:+0;-0} MiB)" : ")"));
        return sb.ToString();
    }
}

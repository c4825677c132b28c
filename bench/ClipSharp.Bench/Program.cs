// ClipSharp.Bench: throughput and memory benchmarks (never part of CI).
//   dotnet run --project bench/ClipSharp.Bench -c Release -- [--quick] [--out FILE.json] [--only NAME,...]
using ClipSharp.Bench;
using ClipSharp.Core;

try
{
    var (options, child) = BenchArgs.Parse(args);
    if (child) return BenchRunner.RunOneAndPrint(options);
    var report = BenchRunner.Run(options, [], Console.Error);
    Console.Out.Write(ResultTable.Format(report));
    if (options.OutPath is { } path)
    {
        BenchRunner.WriteJson(report, path);
        Console.Out.WriteLine($"wrote {path}");
    }
    return 0;
}
catch (ClipSharpException e)
{
    Console.Error.WriteLine($"error: {e.Message}");
    return 2;
}

// ClipSharp.Bench: throughput and memory benchmarks (never part of CI).
//   dotnet run --project bench/ClipSharp.Bench -c Release -- [--quick] [--out FILE.json] [--only NAME,...]
//   dotnet run --project bench/ClipSharp.Bench -c Release -- loader --source DATA [--workers 1,2] ...   (your data loader)
using ClipSharp.Bench;
using ClipSharp.Core;

try
{
    if (args.Length > 0 && args[0] == "loader") return LoaderBenchmark.Run(args[1..]);
    if (args.Length > 0 && args[0] == "cold") return ColdStartBenchmark.Child(args[1..]);   // before any tuning: a user's app as it starts
    ProcessTuning.Apply();   // an entry point: malloc tuning and MKL's GEMM dispatch, as the CLI does
    ClipSharp.Data.Images.VipsSettings.EnsureApplied();
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

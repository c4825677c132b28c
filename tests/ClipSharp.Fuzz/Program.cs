// ClipSharp.Fuzz: a seeded mutation fuzzer over every ClipSharp reader that takes untrusted bytes.
//
// Why not SharpFuzz/libFuzzer/AFL: those need an instrumented build and the libFuzzer or AFL binaries, which this
// environment does not have, and they run one process per target under an external driver. A seeded havoc-style loop
// (Mutator: bit flips, interesting bytes, insert/delete, splices, boundary integers in binary and text length fields,
// dictionary tokens, truncation) needs nothing but .NET, replays exactly from its seed, and is the same code the xunit
// slice (tests/ClipSharp.Tests/Fuzz) runs, so every failure a long campaign finds reproduces in a unit test. It is
// not coverage-guided; structure-aware steps (re-framed safetensors headers, recomputed tar checksums, pickles
// re-packed into intact archives) make up for part of that.
//
// Usage: dotnet run --project tests/ClipSharp.Fuzz -c Release -- --target NAME|all [--iterations N] [--seed S]
//        [--time-limit SECONDS] [--crash-dir DIR] [--hang-seconds S]
//        --target NAME --minimize FILE   shrink a saved failing input (writes FILE.min, prints its bytes)
//        --target NAME --replay DIR      rerun every saved *.bin of a folder
// Exit code: 0 when no input broke the contract, 1 when some did (saved under the crash folder), 2 on bad usage,
// 3 when an input hung (saved, then the process stops).
using System.Globalization;
using ClipSharp.Fuzz;

var opts = new Dictionary<string, string>(StringComparer.Ordinal);
for (int i = 0; i + 1 < args.Length; i += 2) opts[args[i].TrimStart('-')] = args[i + 1];
if (args.Length % 2 != 0 || !opts.TryGetValue("target", out var targetArg))
{
    Console.Error.WriteLine($"usage: --target {string.Join('|', FuzzTargets.Names)}|all [--iterations N] [--seed S] [--time-limit SECONDS] [--crash-dir DIR] [--hang-seconds S]");
    return 2;
}
// libvips prints a warning for most damaged images; the outcome is what counts here
NetVips.Log.LogDelegate quiet = (_, _, _) => { };
NetVips.Log.SetLogHandler("VIPS", NetVips.Enums.LogLevelFlags.Warning, quiet);
long Num(string key, long fallback) => opts.TryGetValue(key, out var v) ? long.Parse(v, CultureInfo.InvariantCulture) : fallback;
var paths = FuzzPaths.Find();
var options = new FuzzOptions(
    Iterations: Num("iterations", 100_000),
    Seed: (int)Num("seed", 1),
    TimeLimit: opts.ContainsKey("time-limit") ? TimeSpan.FromSeconds(Num("time-limit", 0)) : null,
    CrashDir: opts.GetValueOrDefault("crash-dir") ?? Path.Combine(paths.RepoRoot, "fuzz-crashes"),
    HangLimit: TimeSpan.FromSeconds(Num("hang-seconds", 20)),
    Progress: Console.Out);
if (opts.TryGetValue("minimize", out var failing))
{
    // --minimize FILE: shrink a saved failing input, write FILE.min and print it as a C# byte array for a regression test
    var small = new FuzzRunner(FuzzTargets.Create(targetArg, paths), options).Minimize(File.ReadAllBytes(failing));
    File.WriteAllBytes(failing + ".min", small);
    Console.WriteLine($"{small.Length} bytes: [{string.Join(", ", small.Select(b => $"0x{b:X2}"))}]");
    return 0;
}
if (opts.TryGetValue("replay", out var replayDir))
{
    var replayed = new FuzzRunner(FuzzTargets.Create(targetArg, paths), options)
        .Replay(Directory.EnumerateFiles(replayDir, "*.bin").Order(StringComparer.Ordinal).Select(File.ReadAllBytes));
    Console.WriteLine(replayed);
    return replayed.FailureTotal > 0 ? 1 : 0;
}
var names = targetArg == "all" ? FuzzTargets.Names : targetArg.Split(',');
int failures = 0;
foreach (var name in names)
{
    var target = FuzzTargets.Create(name, paths);
    var runner = new FuzzRunner(target, options);
    Console.WriteLine($"{target.Describe()}: scratch input at {runner.WorkDir} (after a native crash it holds the input); failures go to {options.CrashDir}");
    var report = runner.Run();
    Console.WriteLine(report);
    failures += report.FailureTotal > 0 ? 1 : 0;
}
return failures > 0 ? 1 : 0;

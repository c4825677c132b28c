using ClipSharp.Core;

namespace ClipSharp.Bench;

/// <summary>
/// The bench program's command line: [--quick] [--out FILE.json] [--only NAME[,NAME]] [--threads N] [--shared DIR]
/// [--in-process] [--reference REF.json[,REF.json]] [--child]. (--child: run exactly one --only benchmark and print its result line; used internally.)
/// </summary>
public static class BenchArgs
{
    public static (BenchOptions Options, bool Child) Parse(IReadOnlyList<string> args)
    {
        var o = new BenchOptions();
        bool child = false;
        var only = new List<string>();
        for (int i = 0; i < args.Count; i++)
        {
            string Next() => i + 1 < args.Count ? args[++i] : throw new ClipSharpException($"Option {args[i]} needs a value.");
            switch (args[i])
            {
                case "--quick": o = o with { Quick = true }; break;
                case "--out": o = o with { OutPath = Next() }; break;
                case "--only": only.AddRange(Next().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)); break;
                case "--threads":
                    var v = Next();
                    o = o with { Threads = int.TryParse(v, out var t) && t >= 0 ? t : throw new ClipSharpException($"--threads must be a count >= 0, not '{v}'.") };
                    break;
                case "--shared": o = o with { SharedDir = Next() }; break;
                case "--in-process": o = o with { InProcess = true }; break;
                case "--reference": o = o with { ReferenceFiles = Next().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) }; break;
                case "--child": child = true; break;
                default: throw new ClipSharpException($"Unknown bench option '{args[i]}'.");
            }
        }
        if (only.Count > 0) o = o with { Only = only };
        if (child && only.Count != 1) throw new ClipSharpException("--child needs exactly one --only benchmark.");
        return (o, child);
    }
}

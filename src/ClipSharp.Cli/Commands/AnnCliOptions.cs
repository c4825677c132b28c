using System.CommandLine;
using ClipSharp.Core;
using ClipSharp.Inference;

namespace ClipSharp.Cli.Commands;

/// <summary>The approximate-index options of `embed` and `search`: --ann auto|on|off and the HNSW parameters.</summary>
internal sealed class AnnCliOptions
{
    public Option<string> Mode { get; } = new("--ann")
    {
        Description = $"Approximate (HNSW) search: auto (from {AnnOptions.DefaultThreshold:N0} images up), on, or off (exact scan).",
        DefaultValueFactory = _ => "auto",
    };
    public Option<int> Threshold { get; } = new("--ann-threshold") { Description = "Images from which --ann auto goes approximate.", DefaultValueFactory = _ => AnnOptions.DefaultThreshold };
    public Option<int> Connectivity { get; } = new("--ann-connectivity") { Description = "HNSW neighbours per node, M (a change rebuilds the graph).", DefaultValueFactory = _ => AnnOptions.Default.Connectivity };
    public Option<int> ExpansionAdd { get; } = new("--ann-expansion-add") { Description = "HNSW beam width while building.", DefaultValueFactory = _ => AnnOptions.Default.ExpansionAdd };
    public Option<int> ExpansionSearch { get; } = new("--ann-ef") { Description = "HNSW beam width while searching: recall against speed.", DefaultValueFactory = _ => AnnOptions.Default.ExpansionSearch };
    public Option<string> Scalar { get; } = new("--ann-scalar") { Description = "How the graph stores vectors: f32, f16 or i8 (a change rebuilds the graph).", DefaultValueFactory = _ => "f16" };
    public Option<int> ProjectedDim { get; } = new("--ann-dims")
    {
        Description = "0: the graph holds whole vectors; N: their N leading principal directions (e.g. 64 of 512), candidates rescored exactly (f16/f32; a change rebuilds the graph).",
        DefaultValueFactory = _ => 0,
    };

    public void AddTo(Command cmd)
    {
        foreach (var o in new Option[] { Mode, Threshold, Connectivity, ExpansionAdd, ExpansionSearch, Scalar, ProjectedDim }) cmd.Options.Add(o);
    }

    /// <summary>
    /// The options as given, with the build parameters the command line leaves out (--ann-scalar, --ann-connectivity,
    /// --ann-dims) taken from the graph saved in <paramref name="indexDirectory"/>, so a later command reuses it.
    /// </summary>
    public AnnOptions Parse(ParseResult r, string indexDirectory, Action<int, int>? progress = null)
    {
        var given = new Dictionary<string, Option>
        {
            [nameof(AnnOptions.Scalar)] = Scalar, [nameof(AnnOptions.Connectivity)] = Connectivity, [nameof(AnnOptions.ProjectedDim)] = ProjectedDim,
        };
        return Parse(r, progress).WithSavedBuild(indexDirectory, name => r.GetResult(given[name]) is { Implicit: false });
    }

    /// <summary>The options as given; a bad value is an error naming the flag.</summary>
    public AnnOptions Parse(ParseResult r, Action<int, int>? progress = null) => new()
    {
        Mode = r.GetValue(Mode)!.Trim().ToLowerInvariant() switch
        {
            "auto" => AnnMode.Auto,
            "on" => AnnMode.On,
            "off" => AnnMode.Off,
            var m => throw new ClipSharpException($"--ann {m}: expected auto, on or off."),
        },
        Threshold = r.GetValue(Threshold),
        Connectivity = r.GetValue(Connectivity),
        ExpansionAdd = r.GetValue(ExpansionAdd),
        ExpansionSearch = r.GetValue(ExpansionSearch),
        Scalar = r.GetValue(Scalar)!.Trim().ToLowerInvariant() switch
        {
            "f32" => AnnScalar.F32,
            "f16" => AnnScalar.F16,
            "i8" => AnnScalar.I8,
            var s => throw new ClipSharpException($"--ann-scalar {s}: expected f32, f16 or i8."),
        },
        ProjectedDim = r.GetValue(ProjectedDim),
        Progress = progress,
    };
}

using ClipSharp.Core;

namespace ClipSharp.Inference;

/// <summary>What the approximate index sees of the exact one: the mapped rows, their entries, and the compaction generation.</summary>
internal readonly unsafe struct ExactRows(float* rows, IReadOnlyList<IndexEntry> entries, int count, int dim, uint generation)
{
    public float* Rows { get; } = rows;
    public IReadOnlyList<IndexEntry> Entries { get; } = entries;
    public int Count { get; } = count;
    public int Dim { get; } = dim;
    public uint Generation { get; } = generation;
}

/// <summary>
/// The HNSW graph of an <see cref="EmbeddingIndex"/>, derived from its exact rows (key = row number): opened from
/// <c>ann.json</c> + <c>ann-*.usearch</c> (+ <c>ann-*.proj</c>, an <see cref="AnnProjection"/>) when they match the exact rows, caught up when the exact index only grew,
/// rebuilt otherwise (never trusted blindly), updated on add and compaction, and saved atomically. Answers are the
/// graph's candidates rescored with exact dot products over the float32 rows. The owner serialises writes against
/// searches (reader/writer lock); searches may run concurrently.
/// </summary>
internal sealed unsafe class AnnIndex : IDisposable
{
    private readonly string _directory;
    private AnnOptions _options;
    private HnswGraph _graph;
    private AnnProjection? _projection; // null: the graph holds the rows as they are
    private int _savedRows = -1;
    private uint _savedGeneration;

    /// <summary>Rows covered (0 .. Rows-1).</summary>
    public int Rows { get; private set; }

    /// <summary>What opening did: loaded, caught up, or rebuilt and why.</summary>
    public string Status { get; private set; } = "";

    /// <summary>Bytes USearch holds for the graph and its vectors.</summary>
    public long MemoryBytes => _graph.MemoryBytes;

    /// <summary>The options in force.</summary>
    public AnnOptions Options => _options;

    private AnnIndex(string directory, AnnOptions options, HnswGraph graph, AnnProjection? projection) =>
        (_directory, _options, _graph, _projection) = (directory, options, graph, projection);

    /// <summary>Opens (or builds) the graph for <paramref name="exact"/>; saves it when it had to be caught up or rebuilt.</summary>
    public static AnnIndex Open(string directory, AnnOptions options, ExactRows exact)
    {
        options.Validate();
        if (options.ProjectedDim > 0) AnnProjection.CheckWidth(options.ProjectedDim, exact.Dim);
        var (graph, projection, manifest, why) = TryLoad(directory, options, exact);
        if (graph is null)
        {
            var fit = Fits(options, exact) ? AnnProjection.Fit(exact.Rows, exact.Count, exact.Dim, options.ProjectedDim) : null;
            var fresh = new AnnIndex(directory, options, NewGraph(exact.Dim, options, fit), fit);
            try
            {
                fresh.Append(exact, 0, exact.Count);
                fresh.Status = $"built over {exact.Count} rows ({why})";
                fresh.Save(exact);
                return fresh;
            }
            catch { fresh.Dispose(); throw; }
        }
        var ann = new AnnIndex(directory, options, graph, projection) { Rows = manifest!.Rows, _savedRows = manifest.Rows, _savedGeneration = manifest.Generation };
        int behind = exact.Count - ann.Rows;
        ann.Append(exact, ann.Rows, behind);
        ann.Status = behind == 0 ? $"loaded {ann.Rows} rows" : $"loaded {manifest.Rows} rows, caught up {behind} added since";
        if (behind > 0) ann.Save(exact);
        return ann;
    }

    // Whether a graph built now for these options projects: asked for, and enough rows to fit the projection.
    private static bool Fits(AnnOptions o, ExactRows exact) => o.ProjectedDim > 0 && exact.Count >= AnnProjection.MinFitRows(exact.Dim);

    private static HnswGraph NewGraph(int dim, AnnOptions o, AnnProjection? p) =>
        p is null ? HnswGraph.Create(dim, o) : HnswGraph.Create(p.ProjectedDim, o, innerProduct: true);

    /// <summary>Adds exact rows [from, from + count) (the exact file already holds them), projected when the graph is.</summary>
    public void Append(ExactRows exact, int from, int count)
    {
        if (from != Rows) throw new InvalidOperationException($"ANN covers {Rows} rows; cannot append from row {from}.");
        if (_projection is null && Rows < AnnProjection.MinFitRows(exact.Dim) && Fits(_options, exact))
        {
            // built while there were too few rows to fit the projection asked for: now there are, so rebuild projected
            _projection = AnnProjection.Fit(exact.Rows, exact.Count, exact.Dim, _options.ProjectedDim);
            _graph.Dispose();
            _graph = NewGraph(exact.Dim, _options, _projection);
            (from, count, Rows, _savedRows) = (0, exact.Count, 0, -1);
            Status = $"rebuilt over {exact.Count} rows, projected to {_projection.ProjectedDim} dims (fitted once there were enough rows)";
        }
        int threads = _options.Threads > 0 ? _options.Threads : Environment.ProcessorCount;
        const int chunk = 16_384;   // progress granularity
        var projected = _projection is null ? null : new float[Math.Min(chunk, count) * _projection.ProjectedDim];
        for (int done = 0; done < count; done += chunk)
        {
            int n = Math.Min(chunk, count - done);
            float* rows = exact.Rows + (long)(from + done) * exact.Dim;
            if (_projection is null) _graph.Add((ulong)(from + done), rows, n, threads);
            else
                fixed (float* p = projected)
                {
                    _projection.Project(rows, n, p);
                    _graph.Add((ulong)(from + done), p, n, threads);
                }
            Rows += n;
            _options.Progress?.Invoke(done + n, count);
        }
    }

    /// <summary>
    /// Follows a compaction of the exact index: <paramref name="keep"/> (ascending old rows) now sit at rows 0, 1, ...
    /// Removed keys leave the graph and kept keys are renamed down in ascending order (each target key is free by
    /// then); when fewer than half the rows stay, the graph is rebuilt instead. Saves, since the generation changed.
    /// </summary>
    public void Compact(IReadOnlyList<int> keep, ExactRows after)
    {
        if (keep.Count < Rows / 2)
        {
            _graph.Dispose();
            _graph = NewGraph(after.Dim, _options, _projection);
            Rows = 0;
            Append(after, 0, after.Count);
        }
        else
        {
            var kept = new bool[Rows];
            foreach (var r in keep) kept[r] = true;
            for (int r = 0; r < Rows; r++) if (!kept[r]) _graph.Remove((ulong)r);
            for (int j = 0; j < keep.Count; j++) if (keep[j] != j) _graph.Rename((ulong)keep[j], (ulong)j);
            Rows = keep.Count;
        }
        Save(after);
    }

    /// <summary>The best <paramref name="k"/> rows for <paramref name="query"/>: the graph's candidates, rescored exactly, best first (ties by row).</summary>
    public (int Row, float Score)[] Search(ExactRows exact, ReadOnlySpan<float> query, int k)
    {
        int limit = Math.Min(Math.Max(k, _options.ExpansionSearch), Rows);
        if (limit == 0) return [];
        var keys = new ulong[limit];
        var dist = new float[limit];
        int n = _graph.Search(_projection is null ? query : _projection.Project(query), limit, keys, dist);
        var scored = new (int Row, float Score)[n];
        for (int i = 0; i < n; i++)
        {
            int row = checked((int)keys[i]);
            if (row >= exact.Count) throw new ClipSharpException($"{_directory}: the approximate index returned row {row} of {exact.Count}; delete {AnnManifest.FileName} to rebuild it.");
            scored[i] = (row, System.Numerics.Tensors.TensorPrimitives.Dot(query, new ReadOnlySpan<float>(exact.Rows + (long)row * exact.Dim, exact.Dim)));
        }
        Array.Sort(scored, (a, b) => a.Score != b.Score ? b.Score.CompareTo(a.Score) : a.Row.CompareTo(b.Row));
        return scored.Length <= k ? scored : scored[..k];
    }

    /// <summary>Changes the search beam width (exclusive access).</summary>
    public void SetExpansionSearch(int expansion)
    {
        _graph.SetExpansionSearch(expansion);
        _options = _options with { ExpansionSearch = expansion };
    }

    /// <summary>True when rows were added or compacted since the last save.</summary>
    public bool Dirty(uint generation) => _savedRows != Rows || _savedGeneration != generation;

    /// <summary>Writes the graph to a new file, then commits it by renaming the manifest over the old one; deletes older graph files.</summary>
    public void Save(ExactRows exact)
    {
        if (exact.Count != Rows) throw new InvalidOperationException($"ANN covers {Rows} rows, the index {exact.Count}.");
        var stem = $"ann-{Guid.NewGuid():N}";
        var file = stem + ".usearch";
        var path = Path.Combine(_directory, file);
        _graph.Save(path);
        string? projFile = null, projSum = null;
        if (_projection is not null)
        {
            projFile = stem + ".proj";
            _projection.Save(Path.Combine(_directory, projFile));
            projSum = AnnManifest.FileChecksum(Path.Combine(_directory, projFile));
        }
        var manifest = new AnnManifest(AnnManifest.CurrentFormat, file, new FileInfo(path).Length, AnnManifest.FileChecksum(path),
            exact.Generation, Rows, AnnManifest.RowFingerprint(exact.Entries, exact.Rows, Rows, exact.Dim),
            exact.Dim, _options.Scalar.ToString().ToLowerInvariant(), _graph.Connectivity, _projection?.ProjectedDim ?? 0, projFile, projSum);
        manifest.Write(_directory);
        foreach (var old in Directory.EnumerateFiles(_directory, "ann-*.*").Where(f => Path.GetFileName(f) is var n && n != file && n != projFile
                     && (n.EndsWith(".usearch", StringComparison.Ordinal) || n.EndsWith(".proj", StringComparison.Ordinal))))
            try { File.Delete(old); } catch (IOException) { }
        (_savedRows, _savedGeneration) = (Rows, exact.Generation);
    }

    /// <inheritdoc/>
    public void Dispose() => _graph.Dispose();

    // the saved graph (and projection) when every check passes, else null and why it cannot be used
    private static (HnswGraph?, AnnProjection?, AnnManifest?, string) TryLoad(string directory, AnnOptions o, ExactRows exact)
    {
        var (m, why) = AnnManifest.Read(directory);
        if (m is null) return (null, null, null, why!);
        if (Mismatch(m, o, exact) is { } differs) return (null, null, null, differs);
        var path = Path.Combine(directory, m.File);
        if (FileProblem(path, m.FileBytes, m.FileXxh3) is { } bad) return (null, null, null, bad);
        AnnProjection? projection = null;
        HnswGraph? g = null;
        try
        {
            if (m.ProjectedDim > 0)
            {
                var projPath = Path.Combine(directory, m.ProjectionFile!);
                if (FileProblem(projPath, 12 + 4L * m.ProjectedDim * exact.Dim, m.ProjectionXxh3) is { } badProj) return (null, null, null, badProj);
                projection = AnnProjection.Load(projPath, exact.Dim, m.ProjectedDim);
            }
            int graphDim = projection?.ProjectedDim ?? exact.Dim;
            g = HnswGraph.Load(path, graphDim, o, innerProduct: projection is not null);
            if (g.Count != m.Rows || g.Dim != graphDim)
            {
                var holds = $"{path} holds {g.Count} vectors of {g.Dim} values, not {m.Rows} of {graphDim}";
                g.Dispose();
                return (null, null, null, holds);
            }
            return (g, projection, m, "");
        }
        catch (ClipSharpException e) { g?.Dispose(); return (null, null, null, e.Message); }
    }

    // why a saved graph does not fit these options and rows, or null when it does
    private static string? Mismatch(AnnManifest m, AnnOptions o, ExactRows exact)
    {
        string scalar = o.Scalar.ToString().ToLowerInvariant();
        // a graph saved without the projection asked for stays valid while there are too few rows to fit one
        bool projectionFits = m.ProjectedDim == o.ProjectedDim || (m.ProjectedDim == 0 && !Fits(o, exact));
        if (m.Dim != exact.Dim || m.Scalar != scalar || m.Connectivity != o.Connectivity || !projectionFits)
            return $"the saved one was built with dim {m.Dim}, {m.Scalar}, connectivity {m.Connectivity}, projected dims {m.ProjectedDim}; " +
                   $"asked for {scalar}, connectivity {o.Connectivity}, projected dims {o.ProjectedDim}";
        if (m.Generation != exact.Generation) return $"the exact index was compacted since it was saved (generation {m.Generation} → {exact.Generation})";
        if (m.Rows > exact.Count) return $"the saved one covers {m.Rows} rows, the exact index holds {exact.Count}";
        if (m.Fingerprint != AnnManifest.RowFingerprint(exact.Entries, exact.Rows, m.Rows, exact.Dim))
            return "the saved one was built from other rows than the exact index holds";
        return null;
    }

    // why a file the manifest names cannot be used (missing, torn, corrupt), or null
    private static string? FileProblem(string path, long bytes, string? xxh3)
    {
        if (!File.Exists(path)) return $"{path} is missing";
        if (new FileInfo(path).Length != bytes) return $"{path} is torn ({new FileInfo(path).Length} bytes, the manifest says {bytes})";
        if (AnnManifest.FileChecksum(path) != xxh3) return $"{path} is corrupt (checksum mismatch)";
        return null;
    }
}

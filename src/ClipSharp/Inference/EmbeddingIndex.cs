using System.Buffers.Binary;
using System.IO.MemoryMappedFiles;
using System.Runtime.InteropServices;
using ClipSharp.Core;

namespace ClipSharp.Inference;

/// <summary>
/// An on-disk embedding index: a folder holding <c>vectors.f32</c> (16-byte header "CSIX", version, dim, generation;
/// then one float32 row of length dim per entry, little-endian) and <c>entries.tsv</c> (path, size, write ticks per
/// line, in row order), plus <c>model.json</c>: the <see cref="ModelIdentity"/> of the model whose vectors it holds.
/// Rows are appended (so an interrupted build resumes where it stopped: on open, rows beyond the shorter of the two
/// files are cut); removal compacts both files and bumps the generation. Search maps the vectors file and scores every
/// row with SIMD dot products (exact top-k) or, from <see cref="AnnOptions.Threshold"/> rows up (or as
/// <see cref="AnnOptions"/> say), asks the approximate HNSW index kept beside it (<c>ann.json</c>, <c>ann-*.usearch</c>:
/// derived from the exact rows, checked on open and caught up or rebuilt when it does not match) and rescores its
/// candidates exactly. Searches run concurrently; a write (add, remove) waits for them and they wait for it, so no
/// search sees a half-written index. One writing process at a time.
/// </summary>
public sealed class EmbeddingIndex : IDisposable
{
    private readonly ReaderWriterLockSlim _rw = new(LockRecursionPolicy.NoRecursion);
    private readonly object _mapGate = new();
    private readonly List<IndexEntry> _entries = [];
    private readonly AnnOptions _annOptions;
    private uint _generation;
    private AnnIndex? _ann;
    private MemoryMappedFile? _map;
    private MemoryMappedViewAccessor? _view;

    /// <summary>The index folder.</summary>
    public string Directory { get; }

    /// <summary>Vector length.</summary>
    public int Dim { get; }

    /// <summary>Entries in row order.</summary>
    public IReadOnlyList<IndexEntry> Entries => Read(() => _entries.ToList());

    /// <summary>Number of rows.</summary>
    public int Count => Read(() => _entries.Count);

    /// <summary>The approximate-index options this index was opened with.</summary>
    public AnnOptions Ann => _annOptions;

    /// <summary>True when <see cref="Search(ReadOnlySpan{float}, int, int)"/> answers from the approximate index.</summary>
    public bool IsApproximate => Read(() => _ann is not null);

    /// <summary>What the approximate index did on open (loaded, caught up, rebuilt and why) and its parameters; null when searches are exact.</summary>
    public string? AnnStatus => Read(() => _ann is { } a
        ? $"HNSW {a.Options.Scalar.ToString().ToLowerInvariant()}, M {a.Options.Connectivity}, ef {a.Options.ExpansionSearch}, {a.Rows} rows; on open: {a.Status}" : null);

    /// <summary>Bytes the approximate index holds in memory (0 when searches are exact).</summary>
    public long AnnMemoryBytes => Read(() => _ann?.MemoryBytes ?? 0);

    private string VectorsPath => Path.Combine(Directory, "vectors.f32");
    private string EntriesPath => Path.Combine(Directory, "entries.tsv");

    private EmbeddingIndex(string directory, int dim, uint generation, AnnOptions ann) =>
        (Directory, Dim, _generation, _annOptions) = (directory, dim, generation, ann);

    /// <summary>True when <paramref name="directory"/> holds an index.</summary>
    public static bool Exists(string directory) => File.Exists(Path.Combine(directory, "vectors.f32"));

    /// <summary>The model that made the vectors (null for an index written before ClipSharp recorded it).</summary>
    public ModelIdentity? Identity => File.Exists(IdentityPath) ? ModelIdentity.Read(IdentityPath) : null;

    private string IdentityPath => Path.Combine(Directory, "model.json");

    /// <summary>Records the model that makes this index's vectors.</summary>
    public void SetIdentity(ModelIdentity identity) => Write(() => identity.Write(IdentityPath));

    /// <summary>
    /// Opens an existing index for reading or updating; never creates anything (a missing one is an error naming the
    /// path). Default approximate-index options, with the saved graph's build parameters (<see cref="AnnOptions.WithSavedBuild"/>).
    /// </summary>
    public static EmbeddingIndex Open(string directory) => Open(directory, AnnOptions.Default.WithSavedBuild(directory, _ => false));

    /// <summary>Opens an existing index with these approximate-index options (<see cref="AnnOptions.Default"/>: approximate from 50,000 rows).</summary>
    public static EmbeddingIndex Open(string directory, AnnOptions ann)
    {
        if (!System.IO.Directory.Exists(directory)) throw new ClipSharpException($"{directory}: index folder not found.");
        return OpenOrCreate(directory, 0, ann);
    }

    /// <summary>
    /// Opens the index in <paramref name="directory"/>, creating an empty one of <paramref name="dim"/> when absent (dim ≤ 0:
    /// must exist). The approximate-index options are the defaults with the saved graph's build parameters, as for
    /// <see cref="Open(string)"/>.
    /// </summary>
    public static EmbeddingIndex OpenOrCreate(string directory, int dim = 0) =>
        OpenOrCreate(directory, dim, AnnOptions.Default.WithSavedBuild(directory, _ => false));

    /// <summary>
    /// As <see cref="OpenOrCreate(string, int)"/>, with these approximate-index options. When they apply to the index's
    /// size, the saved HNSW graph is loaded if it matches the exact rows, caught up if rows were only added since, or
    /// built (and saved) otherwise.
    /// </summary>
    public static EmbeddingIndex OpenOrCreate(string directory, int dim, AnnOptions ann)
    {
        ann.Validate();
        var vectors = Path.Combine(directory, "vectors.f32");
        if (!Exists(directory))
        {
            if (dim <= 0) throw new ClipSharpException($"{directory}: no embedding index (vectors.f32) there; build one with `clipsharp embed`.");
            System.IO.Directory.CreateDirectory(directory);
            File.WriteAllBytes(vectors, IndexFiles.Header(dim, 0));
            File.WriteAllText(Path.Combine(directory, "entries.tsv"), "");
        }
        IndexFiles.RecoverCompaction(vectors, Path.Combine(directory, "entries.tsv"));
        var (fileDim, generation) = IndexFiles.ReadHeader(vectors);
        if (dim > 0 && dim != fileDim) throw new ClipSharpException($"{directory}: the index holds {fileDim}-d vectors but the model makes {dim}-d ones.");
        var index = new EmbeddingIndex(directory, fileDim, generation, ann);
        index._entries.AddRange(IndexFiles.LoadEntries(index.EntriesPath, vectors, fileDim));
        try { if (ann.Applies(index._entries.Count)) index._ann = AnnIndex.Open(directory, ann, index.View()); }
        catch { index.Dispose(); throw; }
        return index;
    }

    /// <summary>Appends rows (each of length <see cref="Dim"/>, any norm; stored as given) with their entries; the approximate index (when in use) takes them too.</summary>
    public void Add(IReadOnlyList<IndexEntry> entries, IReadOnlyList<float[]> vectors)
    {
        if (entries.Count != vectors.Count) throw new ArgumentException($"{entries.Count} entries for {vectors.Count} vectors.");
        if (vectors.FirstOrDefault(v => v.Length != Dim) is { } bad) throw new ClipSharpException($"A vector has length {bad.Length}; the index holds {Dim}-d vectors.");
        Write(() =>
        {
            CloseMap();
            int before = _entries.Count;
            using (var fs = new FileStream(VectorsPath, FileMode.Append, FileAccess.Write))
            {
                var row = new byte[Dim * 4];
                foreach (var v in vectors)
                {
                    if (BitConverter.IsLittleEndian) { fs.Write(MemoryMarshal.AsBytes(v.AsSpan())); continue; }
                    for (int k = 0; k < Dim; k++) BinaryPrimitives.WriteSingleLittleEndian(row.AsSpan(k * 4), v[k]);
                    fs.Write(row);
                }
            }
            File.AppendAllText(EntriesPath, string.Concat(entries.Select(IndexFiles.Line)));  // entries last: a crash leaves extra rows, cut on open
            _entries.AddRange(entries);
            UpdateAnn(ann => ann.Append(View(), before, entries.Count));
        });
    }

    /// <summary>Removes the rows of these paths (full paths, ordinal) and compacts the files; returns how many went.</summary>
    public int Remove(IEnumerable<string> paths)
    {
        var drop = paths.Select(Path.GetFullPath).ToHashSet(StringComparer.Ordinal);
        int removed = 0;
        Write(() =>
        {
            var keep = Enumerable.Range(0, _entries.Count).Where(i => !drop.Contains(_entries[i].Path)).ToList();
            removed = _entries.Count - keep.Count;
            if (removed == 0) return;
            CloseMap();
            IndexFiles.WriteCompacted(VectorsPath, keep, Dim, _generation + 1);
            var kept = keep.Select(i => _entries[i]).ToList();
            File.WriteAllText(EntriesPath + ".tmp", string.Concat(kept.Select(IndexFiles.Line)));
            File.Move(VectorsPath + ".tmp", VectorsPath, overwrite: true);
            File.Move(EntriesPath + ".tmp", EntriesPath, overwrite: true);
            _entries.Clear();
            _entries.AddRange(kept);
            _generation++;
            UpdateAnn(ann => ann.Compact(keep, View()));
        });
        return removed;
    }

    /// <summary>Removes every row (the vector length stays); returns how many went.</summary>
    public int Clear() => Remove(Entries.Select(e => e.Path));

    /// <summary>The stored vector of row <paramref name="row"/>.</summary>
    public unsafe float[] Vector(int row)
    {
        return Read(() =>
        {
            ArgumentOutOfRangeException.ThrowIfNegative(row);
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(row, _entries.Count);
            return new ReadOnlySpan<float>(RowsPointer() + (long)row * Dim, Dim).ToArray();   // long: past 2^31 values (4.2M rows of 512)
        });
    }

    /// <summary>
    /// Top-k by dot product (cosine for unit vectors), best first; ties keep row order. Exact, or approximate when
    /// <see cref="IsApproximate"/> (the HNSW candidates rescored exactly: scores are the exact ones, a true neighbour
    /// may be missed). <paramref name="threads"/>: how many threads an exact scan uses (≤ 0: one per core, fewer for
    /// small indexes; the answer does not depend on it). Safe to call from many threads at once.
    /// </summary>
    public IReadOnlyList<SearchHit> Search(ReadOnlySpan<float> query, int k, int threads = 0) => Search(query, k, threads, exact: false);

    /// <summary>Exact top-k whatever the approximate-index options (see <see cref="Search(ReadOnlySpan{float}, int, int)"/>).</summary>
    public IReadOnlyList<SearchHit> SearchExact(ReadOnlySpan<float> query, int k, int threads = 0) => Search(query, k, threads, exact: true);

    /// <summary>Changes the approximate index's search beam width in place (benchmarks sweep it without reloading).</summary>
    internal void SetAnnExpansionSearch(int expansion) => Write(() => _ann?.SetExpansionSearch(expansion));

    /// <summary>Saves the approximate index when rows were added since it was last saved (a later open would otherwise catch them up); searches go on meanwhile.</summary>
    public void FlushAnn()
    {
        _rw.EnterUpgradeableReadLock();
        try { if (_ann is { } a && a.Dirty(_generation)) a.Save(View()); }
        finally { _rw.ExitUpgradeableReadLock(); }
    }

    /// <summary>Saves the approximate index if it changed (errors ignored: the next open catches it up) and unmaps the vectors.</summary>
    public void Dispose() => Write(() =>
    {
        try { if (_ann is { } a && a.Dirty(_generation)) a.Save(View()); }
        catch (Exception e) when (e is ClipSharpException or IOException or UnauthorizedAccessException) { }
        _ann?.Dispose();
        _ann = null;
        CloseMap();
    });

    private unsafe IReadOnlyList<SearchHit> Search(ReadOnlySpan<float> query, int k, int threads, bool exact)
    {
        if (query.Length != Dim) throw new ClipSharpException($"The query has {query.Length} values; the index holds {Dim}-d vectors.");
        if (k <= 0) throw new ClipSharpException($"top-k must be positive, not {k}.");
        _rw.EnterReadLock();
        try
        {
            if (_entries.Count == 0) return [];
            var best = _ann is { } ann && !exact
                ? ann.Search(View(), query, k)
                : TopKScan.Search(RowsPointer(), _entries.Count, Dim, query, Math.Min(k, _entries.Count), threads);
            return best.Select(b => new SearchHit(_entries[b.Row].Path, b.Score)).ToList();
        }
        finally { _rw.ExitReadLock(); }
    }

    // keeps the approximate index in step after a write (under the write lock): builds it when the index grew past the
    // threshold, drops it when it shrank below (Auto); a failure drops it (searches fall back to exact) and is rethrown
    private void UpdateAnn(Action<AnnIndex> update)
    {
        try
        {
            if (_ann is not null && !_annOptions.Applies(_entries.Count)) { _ann.Dispose(); _ann = null; }
            else if (_ann is not null) update(_ann);
            else if (_annOptions.Applies(_entries.Count)) _ann = AnnIndex.Open(Directory, _annOptions, View());
        }
        catch
        {
            _ann?.Dispose();
            _ann = null;
            throw;
        }
    }

    private unsafe ExactRows View() => new(_entries.Count == 0 ? null : RowsPointer(), _entries, _entries.Count, Dim, _generation);

    private T Read<T>(Func<T> f)
    {
        _rw.EnterReadLock();
        try { return f(); }
        finally { _rw.ExitReadLock(); }
    }

    private void Write(Action a)
    {
        _rw.EnterWriteLock();
        try { a(); }
        finally { _rw.ExitWriteLock(); }
    }

    // the first float of row 0 in the mapping; valid until CloseMap (callers hold a lock: readers map at most once between writes)
    private unsafe float* RowsPointer()
    {
        lock (_mapGate)
        {
            if (_view is null)
            {
                _map = MemoryMappedFile.CreateFromFile(VectorsPath, FileMode.Open, null, 0, MemoryMappedFileAccess.Read);
                _view = _map.CreateViewAccessor(0, 0, MemoryMappedFileAccess.Read);
            }
            byte* p = null;
            _view.SafeMemoryMappedViewHandle.AcquirePointer(ref p);
            try { return (float*)(p + _view.PointerOffset + IndexFiles.HeaderBytes); }
            finally { _view.SafeMemoryMappedViewHandle.ReleasePointer(); }   // the view stays mapped until CloseMap
        }
    }

    private void CloseMap()
    {
        lock (_mapGate)
        {
            _view?.Dispose();
            _map?.Dispose();
            (_view, _map) = (null, null);
        }
    }
}

using System.Runtime.InteropServices;
using Cloud.Unum.USearch;
using ClipSharp.Core;
using static ClipSharp.Inference.UsearchNative;

namespace ClipSharp.Inference;

/// <summary>
/// One USearch HNSW graph in memory (cosine metric; keys are row numbers of the exact index). USearch keeps one
/// search context per concurrent caller and reads out of bounds past that count, so searches here are bounded by a
/// semaphore of <see cref="Contexts"/>; adds, removes, renames and saves need exclusive access (the caller's writer
/// lock), and adds are spread over at most <see cref="Contexts"/> threads.
/// </summary>
internal sealed unsafe class HnswGraph : IDisposable
{
    private IntPtr _handle;
    private readonly SemaphoreSlim _searchSlots;

    /// <summary>Vector length.</summary>
    public int Dim { get; }

    /// <summary>How many threads may search (or add) at once: one USearch context each.</summary>
    public int Contexts { get; }

    private HnswGraph(IntPtr handle, int dim, int contexts)
    {
        (_handle, Dim, Contexts) = (handle, dim, contexts);
        _searchSlots = new SemaphoreSlim(contexts, contexts);
        SetContexts();
    }

    /// <summary>
    /// An empty graph for <paramref name="dim"/>-d vectors with the options' connectivity, expansions and scalar kind;
    /// cosine distance, or inner product (<paramref name="innerProduct"/>: projected rows, <see cref="AnnProjection"/>).
    /// </summary>
    public static HnswGraph Create(int dim, AnnOptions o, bool innerProduct = false)
    {
        var options = Options(dim, o, innerProduct);
        return new HnswGraph(Init(ref options), dim, ContextsFor(o));
    }

    /// <summary>Loads a saved graph into memory (the caller has checked the file's checksum); its expansions become the options'.</summary>
    public static HnswGraph Load(string path, int dim, AnnOptions o, bool innerProduct = false)
    {
        var options = Options(dim, o, innerProduct);
        var h = Init(ref options);
        usearch_load(h, path, out var error);
        if (error != IntPtr.Zero) { usearch_free(h, out _); Check(error, $"loading {path}"); }
        var g = new HnswGraph(h, (int)usearch_dimensions(h, out _), ContextsFor(o));
        usearch_change_expansion_add(h, (nuint)o.ExpansionAdd, out error);
        Check(error, "setting expansion_add");
        g.SetExpansionSearch(o.ExpansionSearch);
        return g;
    }

    private static IndexOptions Options(int dim, AnnOptions o, bool innerProduct) => new()
    {
        metric_kind = innerProduct ? MetricKind.Ip : MetricKind.Cos, metric = IntPtr.Zero, quantization = ToUsearch(o.Scalar), dimensions = (ulong)dim,
        connectivity = (ulong)o.Connectivity, expansion_add = (ulong)o.ExpansionAdd, expansion_search = (ulong)o.ExpansionSearch, multi = false,
    };

    /// <summary>Number of vectors held (removed ones excluded).</summary>
    public long Count => (long)usearch_size(_handle, out _);

    /// <summary>Connectivity (M) the graph was built with.</summary>
    public int Connectivity => (int)usearch_connectivity(_handle, out _);

    /// <summary>Bytes USearch has allocated for the graph and its vectors.</summary>
    public long MemoryBytes => (long)usearch_memory_usage(_handle, out _);

    /// <summary>Sets the beam width of later searches (recall against speed).</summary>
    public void SetExpansionSearch(int expansion)
    {
        usearch_change_expansion_search(_handle, (nuint)expansion, out var error);
        Check(error, "setting expansion_search");
    }

    /// <summary>Writes the graph to <paramref name="path"/> (the caller makes it atomic).</summary>
    public void Save(string path)
    {
        usearch_save(_handle, path, out var error);
        Check(error, $"saving {path}");
    }

    /// <summary>Adds rows [0, count) at <paramref name="rows"/> (dim floats each) under keys firstKey, firstKey + 1, ...; exclusive access.</summary>
    public void Add(ulong firstKey, float* rows, int count, int threads)
    {
        if (count == 0) return;
        Reserve(Count + count);
        nint basePtr = (nint)rows;
        int t = Math.Clamp(threads, 1, Math.Min(Contexts, count));
        var errors = new string?[t];
        Parallel.For(0, t, new ParallelOptions { MaxDegreeOfParallelism = t }, p =>
        {
            for (long i = p; i < count; i += t)
            {
                usearch_add(_handle, firstKey + (ulong)i, (float*)basePtr + i * Dim, ScalarKind.Float32, out var error);
                if (error != IntPtr.Zero) { errors[p] = Marshal.PtrToStringUTF8(error); return; }
            }
        });
        if (errors.FirstOrDefault(e => e is not null) is { } e) throw new ClipSharpException($"USearch: adding vectors: {e}");
    }

    /// <summary>The nearest <paramref name="limit"/> keys and cosine distances (1 − cosine) to <paramref name="query"/>; thread-safe.</summary>
    public int Search(ReadOnlySpan<float> query, int limit, ulong[] keys, float[] distances)
    {
        _searchSlots.Wait();
        try
        {
            fixed (float* q = query)
            fixed (ulong* k = keys)
            fixed (float* d = distances)
            {
                var n = usearch_search(_handle, q, ScalarKind.Float32, (nuint)limit, k, d, out var error);
                Check(error, "searching");
                return (int)n;
            }
        }
        finally { _searchSlots.Release(); }
    }

    /// <summary>Removes <paramref name="key"/>; exclusive access.</summary>
    public void Remove(ulong key)
    {
        usearch_remove(_handle, key, out var error);
        Check(error, $"removing key {key}");
    }

    /// <summary>Moves the vector under <paramref name="from"/> to <paramref name="to"/> (a free key); exclusive access.</summary>
    public void Rename(ulong from, ulong to)
    {
        usearch_rename(_handle, from, to, out var error);
        Check(error, $"renaming key {from} to {to}");
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        if (_handle == IntPtr.Zero) return;
        usearch_free(_handle, out _);
        _handle = IntPtr.Zero;
        _searchSlots.Dispose();
    }

    // capacity grows by half again at least, so a stream of small batches does not reallocate on every batch
    private void Reserve(long needed)
    {
        long capacity = (long)usearch_capacity(_handle, out _);
        if (needed <= capacity) return;
        usearch_reserve(_handle, (nuint)Math.Max(needed, capacity + capacity / 2), out var error);
        Check(error, $"reserving {needed} vectors");
        SetContexts();   // a reserve resets the context count to the hardware's
    }

    private void SetContexts()
    {
        usearch_change_threads_add(_handle, (nuint)Contexts, out var error);
        Check(error, "setting add threads");
        usearch_change_threads_search(_handle, (nuint)Contexts, out error);
        Check(error, "setting search threads");
    }

    private static int ContextsFor(AnnOptions o) => Math.Max(Environment.ProcessorCount, o.Threads);

    private static IntPtr Init(ref IndexOptions options)
    {
        IntPtr h, error;
        try { h = usearch_init(ref options, out error); }
        catch (DllNotFoundException e)
        {
            throw new ClipSharpException($"The approximate index needs USearch's native library (libusearch_c.so from the Cloud.Unum.USearch package, which needs libgomp.so.1: apt-get install libgomp1): {e.Message}");
        }
        Check(error, "creating an index");
        return h;
    }

    private static ScalarKind ToUsearch(AnnScalar s) => s switch
    {
        AnnScalar.F32 => ScalarKind.Float32,
        AnnScalar.F16 => ScalarKind.Float16,
        AnnScalar.I8 => ScalarKind.Int8,
        _ => throw new ArgumentOutOfRangeException(nameof(s), s, null),
    };
}

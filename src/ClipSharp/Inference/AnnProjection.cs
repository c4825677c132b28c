using System.Buffers.Binary;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using ClipSharp.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace ClipSharp.Inference;

/// <summary>
/// A linear map from the index's d-dimensional rows to their p leading principal directions, for an HNSW graph that
/// stores p values a row instead of d (<see cref="AnnOptions.ProjectedDim"/>). The directions are the top eigenvectors
/// of the rows' uncentred second moment M = (1/n) Σ x xᵀ, so x·q ≈ (Px)·(Pq) for rows and queries alike: the graph
/// ranks by that inner product, and every candidate it returns is rescored exactly on the full rows. Fitted once when
/// the graph is built (on up to <see cref="MaxFitRows"/> evenly spread rows), kept beside the graph, and reused by
/// every later add and search. File: "CSPJ", int32 d, int32 p, then p × d float32 (row-major), little-endian.
/// </summary>
internal sealed unsafe class AnnProjection
{
    /// <summary>Rows a fit reads at most (evenly spread over the index).</summary>
    public const int MaxFitRows = 65_536;

    private static ReadOnlySpan<byte> Magic => "CSPJ"u8;
    private readonly float[] _components; // p rows of d values, unit length, orthogonal

    /// <summary>Input width d.</summary>
    public int Dim { get; }

    /// <summary>Output width p.</summary>
    public int ProjectedDim { get; }

    private AnnProjection(float[] components, int dim, int projected) => (_components, Dim, ProjectedDim) = (components, dim, projected);

    /// <summary>Refuses a projection to <paramref name="projected"/> dims that is not narrower than the <paramref name="dim"/>-d rows.</summary>
    public static void CheckWidth(int projected, int dim)
    {
        if (projected < 1 || projected >= dim) throw new ClipSharpException($"ANN projection to {projected} dims: expected 1 to {dim - 1} for {dim}-d rows.");
    }

    /// <summary>Rows a fit for <paramref name="dim"/>-d rows needs: 4 × d.</summary>
    public static int MinFitRows(int dim) => 4 * dim;

    /// <summary>Fits the <paramref name="projected"/> leading directions of <paramref name="count"/> packed rows.</summary>
    public static AnnProjection Fit(float[] rows, int count, int dim, int projected)
    {
        fixed (float* p = rows) return Fit(p, count, dim, projected);
    }

    /// <summary>Fits the <paramref name="projected"/> leading directions of <paramref name="count"/> rows at <paramref name="rows"/>.</summary>
    public static AnnProjection Fit(float* rows, int count, int dim, int projected)
    {
        CheckWidth(projected, dim);
        if (count < MinFitRows(dim)) throw new ClipSharpException($"ANN projection: fitting {dim}-d rows needs at least {MinFitRows(dim)} rows, the index holds {count}.");
        int n = Math.Min(count, MaxFitRows);
        var sample = new float[(long)n * dim];
        for (int i = 0; i < n; i++)
            new ReadOnlySpan<float>(rows + (long)i * count / n * dim, dim).CopyTo(sample.AsSpan(i * dim, dim));
        double[] moment;
        using (var _ = NewDisposeScope())
        {
            var x = tensor(sample, new long[] { n, dim }).to_type(ScalarType.Float64);
            moment = x.t().matmul(x).data<double>().ToArray();   // n · M, symmetric
        }
        return new AnnProjection(LeadingEigenvectors(moment, dim, projected), dim, projected);
    }

    // The eigenvectors of the symmetric dim × dim matrix with the largest eigenvalues, largest first, as float32 rows.
    private static float[] LeadingEigenvectors(double[] symmetric, int dim, int projected)
    {
        using var _ = NewDisposeScope();
        var (_, vectors) = linalg.eigh(tensor(symmetric, new long[] { dim, dim }));   // ascending eigenvalues, eigenvectors in columns
        var v = vectors.data<double>().ToArray();
        var components = new float[projected * dim];
        for (int k = 0; k < projected; k++)
        {
            int column = dim - 1 - k;
            for (int j = 0; j < dim; j++) components[k * dim + j] = (float)v[j * dim + column];
        }
        return components;
    }

    /// <summary>Writes P x for <paramref name="count"/> rows at <paramref name="src"/> (d floats each) to <paramref name="dst"/> (p floats each).</summary>
    public void Project(float* src, int count, float* dst)
    {
        var c = _components;
        for (long i = 0; i < count; i++)
        {
            var x = new ReadOnlySpan<float>(src + i * Dim, Dim);
            for (int k = 0; k < ProjectedDim; k++) dst[i * ProjectedDim + k] = TensorPrimitives.Dot(x, c.AsSpan(k * Dim, Dim));
        }
    }

    /// <summary>P q for one query.</summary>
    public float[] Project(ReadOnlySpan<float> query)
    {
        if (query.Length != Dim) throw new ArgumentException($"Expected a {Dim}-d query, got {query.Length}.", nameof(query));
        var p = new float[ProjectedDim];
        fixed (float* q = query)
        fixed (float* d = p)
            Project(q, 1, d);
        return p;
    }

    /// <summary>Writes the file (the caller makes it atomic through the manifest).</summary>
    public void Save(string path)
    {
        using var fs = new FileStream(path, FileMode.CreateNew, FileAccess.Write);
        Span<byte> head = stackalloc byte[12];
        Magic.CopyTo(head);
        BinaryPrimitives.WriteInt32LittleEndian(head[4..], Dim);
        BinaryPrimitives.WriteInt32LittleEndian(head[8..], ProjectedDim);
        fs.Write(head);
        fs.Write(MemoryMarshal.AsBytes(_components.AsSpan()));
        fs.Flush(flushToDisk: true);
    }

    /// <summary>Reads a file written by <see cref="Save"/> for <paramref name="dim"/>-d rows; a wrong header or length is an error naming the file.</summary>
    public static AnnProjection Load(string path, int dim, int projected)
    {
        var bytes = File.ReadAllBytes(path);
        long expected = 12 + 4L * projected * dim;
        if (bytes.Length != expected || !bytes.AsSpan(0, 4).SequenceEqual(Magic)
            || BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(4)) != dim || BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(8)) != projected)
            throw new ClipSharpException($"{path}: not a {dim} → {projected} ANN projection ({bytes.Length} bytes, expected {expected}).");
        return new AnnProjection(MemoryMarshal.Cast<byte, float>(bytes.AsSpan(12)).ToArray(), dim, projected);
    }
}

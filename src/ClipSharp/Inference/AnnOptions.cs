namespace ClipSharp.Inference;

/// <summary>When an <see cref="EmbeddingIndex"/> answers from its approximate (HNSW) index instead of the exact scan.</summary>
public enum AnnMode
{
    /// <summary>Approximate from <see cref="AnnOptions.Threshold"/> rows up, exact below (the default).</summary>
    Auto,
    /// <summary>Always approximate, whatever the size.</summary>
    On,
    /// <summary>Always exact; the approximate index is neither read nor updated (a later open catches it up).</summary>
    Off,
}

/// <summary>How the approximate index stores its copy of the vectors (the exact float32 rows stay the source of truth and rescore every answer).</summary>
public enum AnnScalar
{
    /// <summary>float32: 4 bytes a value.</summary>
    F32,
    /// <summary>float16: 2 bytes a value, the default.</summary>
    F16,
    /// <summary>int8 (USearch scales unit vectors to [-127, 127]): 1 byte a value.</summary>
    I8,
}

/// <summary>
/// The approximate nearest-neighbour index of an <see cref="EmbeddingIndex"/>: an HNSW graph (USearch) kept beside the
/// exact vectors, derived from them. Connectivity and the scalar kind are fixed when the graph is built (changing them
/// rebuilds it); the expansions and threads apply to the open index.
/// </summary>
public sealed record AnnOptions
{
    /// <summary>The default: <see cref="AnnMode.Auto"/> with the parameters below.</summary>
    public static AnnOptions Default { get; } = new();

    /// <summary>Exact search only.</summary>
    public static AnnOptions Off { get; } = new() { Mode = AnnMode.Off };

    /// <summary>
    /// Rows from which <see cref="AnnMode.Auto"/> goes approximate: 50,000. Below it the exact scan answers in about
    /// 2.5 ms on one core (10k rows × 512: 0.5 ms measured, linear in rows), needs no graph build and is exact; above
    /// it the scan passes the 2 ms a query a service can afford per core while HNSW stays well under it.
    /// </summary>
    public const int DefaultThreshold = 50_000;

    /// <summary>Auto, on or off.</summary>
    public AnnMode Mode { get; init; } = AnnMode.Auto;

    /// <summary>Rows from which Auto answers approximately (and builds the graph).</summary>
    public int Threshold { get; init; } = DefaultThreshold;

    /// <summary>HNSW connectivity M: neighbours kept per node (more: better recall, more memory, slower build).</summary>
    public int Connectivity { get; init; } = 16;

    /// <summary>Beam width while inserting (efConstruction): graph quality against build time.</summary>
    public int ExpansionAdd { get; init; } = 128;

    /// <summary>Beam width while searching (ef): recall against query time. Answers are the best k of these candidates, rescored exactly.</summary>
    public int ExpansionSearch { get; init; } = 128;

    /// <summary>How the graph stores vectors.</summary>
    public AnnScalar Scalar { get; init; } = AnnScalar.F16;

    /// <summary>
    /// 0 (the default): the graph stores the rows as they are. p &gt; 0: it stores their projection on the rows' p
    /// leading principal directions (<see cref="AnnProjection"/>, fitted when the graph is built, on at least 4 × d rows;
    /// a graph built over fewer stores full rows) and ranks by inner product there; every candidate is still rescored
    /// on the exact rows. Far less memory and time per visited node (64 of 512 values: 8×), so a wider beam fits the
    /// same time; recall depends on how much of the rows' variation p directions hold. Needs f16 or f32; a change
    /// rebuilds the graph.
    /// </summary>
    public int ProjectedDim { get; init; }

    /// <summary>Threads that build the graph (0: one per core). Searches are one thread each, as many at once as there are cores.</summary>
    public int Threads { get; init; }

    /// <summary>Called with (rows done, rows to do) while a build or catch-up runs.</summary>
    public Action<int, int>? Progress { get; init; }

    /// <summary>
    /// These options with the build parameters (scalar kind, connectivity, projected dims) of the graph saved in
    /// <paramref name="indexDirectory"/>, for each one <paramref name="given"/> does not name (a caller's explicit
    /// choice wins): so reopening an index with default options reuses its graph instead of rebuilding it. Unchanged
    /// when no readable graph manifest is there.
    /// </summary>
    public AnnOptions WithSavedBuild(string indexDirectory, Func<string, bool> given)
    {
        var (m, _) = AnnManifest.Read(indexDirectory);
        if (m is null) return this;
        // the manifest spells the kind as AnnIndex.Save writes it (the enum name, lower case); an unknown one is not reused
        bool known = Enum.TryParse<AnnScalar>(m.Scalar, ignoreCase: true, out var scalar);
        return this with
        {
            Scalar = given(nameof(Scalar)) || !known ? Scalar : scalar,
            Connectivity = given(nameof(Connectivity)) ? Connectivity : m.Connectivity,
            ProjectedDim = given(nameof(ProjectedDim)) ? ProjectedDim : m.ProjectedDim,
        };
    }

    /// <summary>True when an index of <paramref name="rows"/> rows answers approximately under these options.</summary>
    public bool Applies(int rows) => Mode == AnnMode.On || (Mode == AnnMode.Auto && rows >= Threshold);

    /// <summary>Checks the numbers, naming the bad one.</summary>
    public void Validate()
    {
        if (Connectivity < 2) throw new Core.ClipSharpException($"ANN connectivity must be at least 2, not {Connectivity}.");
        if (ExpansionAdd < 1) throw new Core.ClipSharpException($"ANN expansion_add must be positive, not {ExpansionAdd}.");
        if (ExpansionSearch < 1) throw new Core.ClipSharpException($"ANN expansion_search must be positive, not {ExpansionSearch}.");
        if (Threshold < 0) throw new Core.ClipSharpException($"ANN threshold must not be negative, not {Threshold}.");
        if (ProjectedDim < 0) throw new Core.ClipSharpException($"ANN projected dims must not be negative, not {ProjectedDim}.");
        if (ProjectedDim > 0 && Scalar == AnnScalar.I8)
            throw new Core.ClipSharpException("An ANN projection needs f16 or f32 graph vectors (i8 is scaled for unit vectors, which projected rows are not).");
    }
}

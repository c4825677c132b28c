using ClipSharp.Core;

namespace ClipSharp.Inference;

/// <summary>
/// What an index build did: files embedded (new or changed), rows dropped (file gone or changed), files left as they
/// were, unreadable files skipped, and why every old row was dropped first (another model made them; else null).
/// </summary>
public sealed record IndexBuildReport(int Added, int Removed, int Unchanged, IReadOnlyList<string> Unreadable, string? Reembedded = null)
{
    /// <summary>The approximate index after the build (<see cref="EmbeddingIndex.AnnStatus"/>); null when searches are exact.</summary>
    public string? AnnStatus { get; init; }
}

/// <summary>
/// Brings an <see cref="EmbeddingIndex"/> up to date with a folder of images: files already indexed with the same size
/// and write time are kept, changed or deleted files lose their rows, new and changed files are embedded in batches
/// and appended batch by batch (so a stopped build resumes). A batch that fails is retried file by file, and files
/// that cannot be decoded are skipped and counted.
/// </summary>
public static class IndexBuilder
{
    /// <summary>Image file extensions picked up.</summary>
    public static readonly IReadOnlyList<string> Extensions = [".jpg", ".jpeg", ".png", ".webp", ".bmp", ".gif", ".tif", ".tiff"];

    /// <summary>
    /// Creates or updates the index in <paramref name="indexDirectory"/> from <paramref name="folder"/>. A missing folder
    /// is an error and creates nothing. An index made by another model (or by an unknown one) is re-embedded from
    /// scratch, and the report says why; the index then records this pipeline's <see cref="ModelIdentity"/>.
    /// </summary>
    public static IndexBuildReport Update(ClipPipeline pipeline, string folder, string indexDirectory,
        Action<int, int>? progress = null, CancellationToken cancel = default) =>
        Update(pipeline, folder, indexDirectory, AnnOptions.Default, progress, cancel);

    /// <summary>
    /// As <see cref="Update(ClipPipeline, string, string, Action{int, int}?, CancellationToken)"/>, with these
    /// approximate-index options: when they apply, the HNSW graph follows every batch and is saved at the end.
    /// </summary>
    public static IndexBuildReport Update(ClipPipeline pipeline, string folder, string indexDirectory, AnnOptions ann,
        Action<int, int>? progress = null, CancellationToken cancel = default)
    {
        if (!Directory.Exists(folder)) throw new ClipSharpException($"{folder}: image folder not found.");
        var identity = ModelIdentity.Of(pipeline);
        using var index = EmbeddingIndex.Exists(indexDirectory) ? EmbeddingIndex.Open(indexDirectory, ann) : EmbeddingIndex.OpenOrCreate(indexDirectory, pipeline.EmbeddingDim, ann);
        string? why = null;
        if (index.Count > 0 && (index.Identity is not { } had || had.Differences(identity) is { Count: > 0 }))
        {
            why = index.Identity is { } old
                ? $"the index was built with model {old.Name}, which differs in {string.Join(", ", old.Differences(identity))}"
                : "the index does not record which model built it";
        }
        if (index.Dim != pipeline.EmbeddingDim && (index.Count == 0 || why is not null))
            throw new ClipSharpException($"{indexDirectory}: the index holds {index.Dim}-d vectors but model {pipeline.Name} makes {pipeline.EmbeddingDim}-d ones; use a new index folder.");
        var dropped = why is null ? 0 : index.Clear();
        index.SetIdentity(identity);
        var report = Build(pipeline, folder, index, progress, cancel);
        index.FlushAnn();
        return report with { Removed = report.Removed + dropped, Reembedded = why, AnnStatus = index.AnnStatus };
    }

    /// <summary>
    /// Checks that <paramref name="index"/> holds vectors of <paramref name="pipeline"/>'s model; otherwise an error
    /// naming both models and what differs (a query with another model would return meaningless neighbours).
    /// </summary>
    public static void RequireSameModel(EmbeddingIndex index, ClipPipeline pipeline)
    {
        var have = index.Identity ?? throw new ClipSharpException(
            $"{index.Directory}: the index does not record which model built it (made by an older ClipSharp); re-run `clipsharp embed` with your model.");
        var diffs = have.Differences(ModelIdentity.Of(pipeline));
        if (diffs.Count > 0)
            throw new ClipSharpException($"{index.Directory}: the index was built with model {have.Name}, but the query model {pipeline.Name} differs in {string.Join(", ", diffs)}; search with the model that built it, or re-run `clipsharp embed` with this one.");
    }

    /// <summary>Updates <paramref name="index"/> from every image under <paramref name="folder"/>; progress(done, total) after each batch.</summary>
    public static IndexBuildReport Build(ClipPipeline pipeline, string folder, EmbeddingIndex index,
        Action<int, int>? progress = null, CancellationToken cancel = default)
    {
        if (!Directory.Exists(folder)) throw new ClipSharpException($"{folder}: image folder not found.");
        if (index.Dim != pipeline.EmbeddingDim)
            throw new ClipSharpException($"{index.Directory}: the index holds {index.Dim}-d vectors but model {pipeline.Name} makes {pipeline.EmbeddingDim}-d ones.");
        var root = Path.GetFullPath(folder);
        var files = Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories)
            .Where(f => Extensions.Contains(Path.GetExtension(f).ToLowerInvariant()))
            .Order(StringComparer.Ordinal)
            .Select(f => { var i = new FileInfo(f); return new IndexEntry(i.FullName, i.Length, i.LastWriteTimeUtc.Ticks); })
            .ToList();
        var current = files.ToDictionary(f => f.Path, StringComparer.Ordinal);
        var have = index.Entries;
        // rows under this folder whose file is gone or changed
        var stale = have.Where(e => e.Path.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal)
                                    && (!current.TryGetValue(e.Path, out var now) || now != e)).Select(e => e.Path).ToList();
        int removed = index.Remove(stale);
        var indexed = index.Entries.ToHashSet();
        var todo = files.Where(f => !indexed.Contains(f)).ToList();
        int unchanged = files.Count - todo.Count, added = 0;
        var unreadable = new List<string>();
        int batch = pipeline.Options.BatchSize;
        for (int from = 0; from < todo.Count; from += batch)
        {
            cancel.ThrowIfCancellationRequested();
            var chunk = todo.Skip(from).Take(batch).ToList();
            List<IndexEntry> ok;
            List<float[]> vectors;
            try
            {
                vectors = pipeline.EncodeImages(chunk.Select(c => c.Path).ToList()).ToList();
                ok = chunk;
            }
            catch (ClipSharpException)
            {
                (ok, vectors) = ([], []);
                foreach (var c in chunk)
                {
                    try { vectors.Add(pipeline.EncodeImage(c.Path)); ok.Add(c); }
                    catch (ClipSharpException) { unreadable.Add(c.Path); }
                }
            }
            index.Add(ok, vectors);
            added += ok.Count;
            progress?.Invoke(Math.Min(from + batch, todo.Count), todo.Count);
        }
        return new IndexBuildReport(added, removed, unchanged, unreadable);
    }
}

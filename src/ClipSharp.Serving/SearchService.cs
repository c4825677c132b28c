using System.Numerics.Tensors;
using ClipSharp.Core;
using ClipSharp.Data.Images;
using ClipSharp.Inference;
using Microsoft.AspNetCore.Http;
using TorchSharp;

namespace ClipSharp.Serving;

/// <summary>One ranked answer: the item id, its path relative to the served root, size, write time and score.</summary>
public sealed record SearchResult(string Id, string Path, long Size, DateTime Modified, float Score);

/// <summary>
/// What the endpoints call: the index, the model and the served root. Model work goes through the one
/// <see cref="ClipPipeline"/> (TorchSharp modules are not thread-safe) one forward pass at a time, queued here on an
/// asynchronous gate: a request waits for its turn without holding a thread, and one whose deadline (the request
/// timeout) or client goes while it waits leaves the queue and never runs its forward pass; a pass already running
/// finishes (libtorch cannot be interrupted), so a deadline is overrun by at most one batch-1 forward. Uploads are
/// decoded, capped and preprocessed on the request's thread, outside the gate. Index reads
/// (search, item lookup, vectors) share a read lock; an add takes the write lock only to append, so a reader sees
/// the index before the add or after it, never between.
/// </summary>
public sealed class SearchService : IDisposable
{
    private readonly ReaderWriterLockSlim _lock = new();
    private readonly SemaphoreSlim _model = new(1, 1);
    private readonly EvalTransform _transform;

    /// <summary>The index being served.</summary>
    public EmbeddingIndex Index { get; }

    /// <summary>The model that made the index (and embeds queries).</summary>
    public ClipPipeline Pipeline { get; }

    /// <summary>The only folder read from.</summary>
    public ServedRoot Root { get; }

    /// <summary>The settings in force.</summary>
    public ServeOptions Options { get; }

    /// <summary>Item ids of the current rows.</summary>
    public ItemIds Ids { get; } = new();

    /// <summary>The decoder with the server's pixel cap (uploads, thumbnails, added files).</summary>
    public ImageDecoder Decoder { get; }

    /// <summary>
    /// Serves <paramref name="index"/> (made by <paramref name="pipeline"/>'s model: checked) under the options' root.
    /// Every indexed file must lie under the root; otherwise an error naming the first one outside.
    /// </summary>
    public SearchService(ServeOptions options, ClipPipeline pipeline, EmbeddingIndex index)
    {
        IndexBuilder.RequireSameModel(index, pipeline);
        var entries = index.Entries;
        Root = new ServedRoot(options.Root ?? CommonFolder(entries, index.Directory));
        if (entries.FirstOrDefault(e => !Root.Contains(e.Path)) is { } outside)
            throw new ClipSharpException($"{index.Directory}: {outside.Path} lies outside the served root {Root.Path}; give --root a folder holding every indexed file.");
        (Options, Pipeline, Index) = (options, pipeline, index);
        Decoder = new ImageDecoder(ImageDecoderOptions.Default with { MaxPixels = options.MaxPixels });
        _transform = new EvalTransform(pipeline.Transform.Config, Decoder);
        Ids.Rebuild(entries);
    }

    /// <summary>The normalised embedding of a text, once the model is free (cancelled while waiting: never run).</summary>
    public Task<float[]> EmbedTextAsync(string text, CancellationToken ct) => OnModelAsync(() => Pipeline.EncodeText(text), ct);

    /// <summary>
    /// The normalised embedding of encoded image bytes (a 400 when they are not a readable image or too large),
    /// decoded now and embedded once the model is free (cancelled while waiting: never run).
    /// </summary>
    public async Task<float[]> EmbedImageAsync(byte[] bytes, string name, CancellationToken ct)
    {
        using var pixels = Preprocess(bytes, name);
        return await OnModelAsync(() => Forward(pixels), ct);
    }

    /// <summary>The same, blocking (the folder watcher and <see cref="Add"/>).</summary>
    public float[] EmbedImage(byte[] bytes, string name, CancellationToken ct = default)
    {
        using var pixels = Preprocess(bytes, name);
        _model.Wait(ct);
        try { return Forward(pixels); }
        finally { _model.Release(); }
    }

    /// <summary>Holds the model gate until disposed, as a running forward pass does (tests of the queue's deadline).</summary>
    internal IDisposable HoldModel()
    {
        _model.Wait();
        return new Releaser(_model);
    }

    // one forward pass at a time; a waiter whose token fires leaves the queue (OperationCanceledException: the request
    // timeout answers 408, a departed client nothing) and a token that fired just as the gate opened runs nothing
    private async Task<T> OnModelAsync<T>(Func<T> forward, CancellationToken ct)
    {
        await _model.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            ct.ThrowIfCancellationRequested();
            return forward();
        }
        finally { _model.Release(); }
    }

    // decoded, capped and preprocessed to a [1, 3, H, W] tensor the caller owns (no dispose scope spans an await)
    private torch.Tensor Preprocess(byte[] bytes, string name)
    {
        using var scope = torch.NewDisposeScope();
        try
        {
            using var decoded = Decoder.Decode(bytes, name, (_transform.Config.Height, _transform.Config.Width));
            return _transform.Apply(decoded).unsqueeze(0).MoveToOuterDisposeScope();
        }
        catch (ClipSharpException e) { throw ApiException.BadRequest("bad_image", e.Message); }
    }

    private float[] Forward(torch.Tensor pixels)
    {
        using var scope = torch.NewDisposeScope();
        using var rows = Pipeline.EncodePixels(pixels);
        return rows[0].data<float>().ToArray();
    }

    private sealed class Releaser(SemaphoreSlim gate) : IDisposable
    {
        private int _done;
        public void Dispose() { if (Interlocked.Exchange(ref _done, 1) == 0) gate.Release(); }
    }

    /// <summary>Ranks the index against a unit query: results offset .. offset + k - 1, best first.</summary>
    public IReadOnlyList<SearchResult> Search(float[] query, int k, int offset)
    {
        _lock.EnterReadLock();
        try
        {
            var hits = Index.Search(query, k + offset);
            return hits.Skip(offset).Select(h => Result(h.Path, h.Score)).ToList();
        }
        finally { _lock.ExitReadLock(); }
    }

    /// <summary>The stored vector and entry of an item, or a 404.</summary>
    public (float[] Vector, IndexEntry Entry) Item(string id)
    {
        _lock.EnterReadLock();
        try
        {
            var (row, entry) = Entry(id);
            return (Index.Vector(row), entry);
        }
        finally { _lock.ExitReadLock(); }
    }

    /// <summary>The row and entry of an item, or a 404 (an id is never a path: a hostile one can only miss).</summary>
    public (int Row, IndexEntry Entry) Entry(string id)
    {
        if (!ItemIds.IsWellFormed(id)) throw new ApiException(StatusCodes.Status404NotFound, "unknown_item", $"{Shorten(id)}: not an item id (16 hex digits, from a search result).");
        return Ids.Lookup(id) ?? throw new ApiException(StatusCodes.Status404NotFound, "unknown_item", $"{id}: no such item in the index.");
    }

    /// <summary>
    /// Embeds the image at a client-given path under the root and appends it (a changed file replaces its old row);
    /// returns the item and whether it was added (false: already indexed as it is).
    /// </summary>
    public (SearchResult Item, bool Added) Add(string? clientPath, CancellationToken ct = default)
    {
        var full = Root.ResolveClientPath(clientPath);
        if (!IndexBuilder.Extensions.Contains(System.IO.Path.GetExtension(full).ToLowerInvariant()))
            throw ApiException.BadRequest("not_an_image", $"{clientPath}: not an image file name ({string.Join(", ", IndexBuilder.Extensions)}).");
        var info = new FileInfo(full);
        var entry = new IndexEntry(full, info.Length, info.LastWriteTimeUtc.Ticks);
        if (Ids.Lookup(ItemIds.Of(full)) is { } had && had.Entry == entry) return (Result(full, 1f), false);
        var vector = EmbedImage(File.ReadAllBytes(full), Root.Relative(full), ct);
        _lock.EnterWriteLock();
        try
        {
            if (Ids.Lookup(ItemIds.Of(full)) is not null) Index.Remove([full]);
            Index.Add([entry], [vector]);
            Ids.Rebuild(Index.Entries);
        }
        finally { _lock.ExitWriteLock(); }
        return (Result(full, 1f), true);
    }

    /// <summary>Removes the row of an indexed file (a full path under the root); false when it was not indexed.</summary>
    public bool Remove(string fullPath)
    {
        if (Ids.Lookup(ItemIds.Of(fullPath)) is null) return false;
        _lock.EnterWriteLock();
        try
        {
            int n = Index.Remove([fullPath]);
            Ids.Rebuild(Index.Entries);
            return n > 0;
        }
        finally { _lock.ExitWriteLock(); }
    }

    /// <summary>An indexed path as answers show it (size and time as recorded when it was embedded).</summary>
    public SearchResult Result(string path, float score)
    {
        var id = ItemIds.Of(path);
        var entry = Ids.Lookup(id)?.Entry;
        return new SearchResult(id, Root.Relative(path), entry?.Size ?? 0, new DateTime(entry?.WriteTicks ?? 0, DateTimeKind.Utc), score);
    }

    /// <summary>Unit-normalises a client-given query vector (a 400 when its length or values are wrong).</summary>
    public float[] NormaliseQuery(float[] embedding)
    {
        if (embedding.Length != Index.Dim)
            throw ApiException.BadRequest("bad_embedding", $"\"embedding\" has {embedding.Length} values; the index holds {Index.Dim}-d vectors.");
        if (embedding.Any(v => !float.IsFinite(v))) throw ApiException.BadRequest("bad_embedding", "\"embedding\" holds a NaN or infinite value.");
        var norm = TensorPrimitives.Norm(embedding);
        if (norm == 0) throw ApiException.BadRequest("bad_embedding", "\"embedding\" is all zeros.");
        var q = new float[embedding.Length];
        TensorPrimitives.Divide(embedding, norm, q);
        return q;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _lock.Dispose();
        _model.Dispose();
    }

    internal static string Shorten(string s) => s.Length <= 80 ? s : s[..80] + "…";

    // the deepest folder holding every indexed file (the index's parent folder when it is empty)
    private static string CommonFolder(IReadOnlyList<IndexEntry> entries, string indexDirectory)
    {
        if (entries.Count == 0)
            throw new ClipSharpException($"{indexDirectory}: the index is empty; give --root FOLDER (the folder whose images POST /items may add).");
        var common = System.IO.Path.GetDirectoryName(entries[0].Path)!;
        foreach (var e in entries)
            while (!e.Path.StartsWith(common + System.IO.Path.DirectorySeparatorChar, StringComparison.Ordinal) && common != "/")
                common = System.IO.Path.GetDirectoryName(common) ?? "/";
        return common;
    }
}

namespace ClipSharp.Data.Images;

/// <summary>
/// Process-wide libvips settings for the image pipeline. Process-wide, so the library never applies them on its own:
/// entry points do (the CLI and the bench at start-up, <c>ClipPipelineOptions.TuneProcess</c>,
/// <c>TrainOptions.TuneProcess</c>), next to <c>Core.ProcessTuning</c>.
/// </summary>
/// <remarks>
/// Defaults, and why:
/// <list type="bullet">
/// <item>Operation cache off (<c>Cache.Max = 0</c>): every image is decoded once and never re-requested, so cached
/// operations only hold references to decoded pixels and would make worker threads contend on the cache lock.</item>
/// <item>Concurrency 1 (<c>vips_concurrency_set(1)</c>): parallelism comes from our data-loader worker threads, one
/// image per thread; libvips' own thread pool per image would oversubscribe the cores (N workers x cores threads)
/// and, for 224-pixel outputs, costs more in scheduling than it gains. An explicit <c>VIPS_CONCURRENCY</c>
/// environment variable wins.</item>
/// </list>
/// Call <see cref="Configure"/> before decoding to choose other values (e.g. concurrency 0 = libvips' default
/// of one thread per core, for single large images).
/// </remarks>
public static class VipsSettings
{
    private static readonly object Gate = new();
    private static bool _applied;

    /// <summary>Applies the defaults above if nothing was configured yet. Idempotent and thread-safe.</summary>
    public static void EnsureApplied()
    {
        if (Volatile.Read(ref _applied)) return;
        lock (Gate)
        {
            if (_applied) return;
            int concurrency = Environment.GetEnvironmentVariable("VIPS_CONCURRENCY") is { Length: > 0 } ? -1 : 1;
            ApplyLocked(concurrency, cacheMaxOperations: 0);
        }
    }

    /// <summary>
    /// Sets libvips' per-image worker threads (<paramref name="concurrency"/>; 0 = one per core, -1 = leave as is) and
    /// the operation cache size (<paramref name="cacheMaxOperations"/>; 0 = off).
    /// </summary>
    public static void Configure(int concurrency, int cacheMaxOperations)
    {
        lock (Gate) ApplyLocked(concurrency, cacheMaxOperations);
    }

    private static void ApplyLocked(int concurrency, int cacheMaxOperations)
    {
        NetVips.Cache.Max = cacheMaxOperations;
        if (cacheMaxOperations == 0) NetVips.Cache.MaxFiles = 0;
        if (concurrency >= 0) NetVips.NetVips.Concurrency = concurrency;
        Volatile.Write(ref _applied, true);
    }
}

using System.Collections.Concurrent;
using ClipSharp.Inference;
using Microsoft.Extensions.Logging;

namespace ClipSharp.Serving;

/// <summary>
/// <c>--watch</c>: keeps the index in step with the served root while serving. An image file created, changed or
/// renamed under the root is embedded and added (a changed file replaces its row); a deleted one loses its row.
/// Events are collected for <see cref="Settle"/> after the last one for a file (so a file still being copied is read
/// once, whole), then applied one at a time through the same write gate as <c>POST /items</c>.
/// </summary>
public sealed class FolderWatcher : IDisposable
{
    /// <summary>How long a file must be quiet before it is (re)embedded.</summary>
    public static readonly TimeSpan Settle = TimeSpan.FromMilliseconds(500);

    private readonly SearchService _service;
    private readonly WriteGate _gate;
    private readonly ILogger _log;
    private readonly FileSystemWatcher _watcher;
    private readonly ConcurrentDictionary<string, DateTime> _pending = new(StringComparer.Ordinal);
    private readonly Timer _timer;

    /// <summary>Files added, files removed, and files that could not be embedded, since start.</summary>
    public int Added, Removed, Failed;

    /// <summary>Starts watching <paramref name="service"/>'s root.</summary>
    public FolderWatcher(SearchService service, WriteGate gate, ILogger log)
    {
        (_service, _gate, _log) = (service, gate, log);
        _watcher = new FileSystemWatcher(service.Root.Path) { IncludeSubdirectories = true, NotifyFilter = NotifyFilters.FileName | NotifyFilters.LastWrite | NotifyFilters.Size };
        _watcher.Created += (_, e) => Touch(e.FullPath);
        _watcher.Changed += (_, e) => Touch(e.FullPath);
        _watcher.Deleted += (_, e) => Touch(e.FullPath);
        _watcher.Renamed += (_, e) => { Touch(e.OldFullPath); Touch(e.FullPath); };
        _timer = new Timer(_ => Drain(), null, Settle, Settle);
        _watcher.EnableRaisingEvents = true;
    }

    private void Touch(string path)
    {
        if (IndexBuilder.Extensions.Contains(Path.GetExtension(path).ToLowerInvariant())) _pending[path] = DateTime.UtcNow;
    }

    // applies the files that have been quiet for Settle; one drain at a time (the timer skips while one runs)
    private void Drain()
    {
        if (!_gate.Semaphore.Wait(0)) return;
        try
        {
            foreach (var (path, at) in _pending.ToArray())
            {
                if (DateTime.UtcNow - at < Settle || !_pending.TryRemove(new KeyValuePair<string, DateTime>(path, at))) continue;
                Apply(path);
            }
        }
        finally { _gate.Semaphore.Release(); }
    }

    private void Apply(string path)
    {
        try
        {
            if (File.Exists(path))
            {
                if (_service.Add(path).Added) Interlocked.Increment(ref Added);
            }
            else if (_service.Remove(path)) Interlocked.Increment(ref Removed);
        }
        catch (Exception e)   // a timer callback must not throw: log it, count it, keep watching
        {
            Interlocked.Increment(ref Failed);
            _log.LogWarning("watch: {Path} skipped: {Reason}", _service.Root.Relative(path), e.Message);
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _watcher.Dispose();
        _timer.Dispose();
    }
}

using System.Runtime.ExceptionServices;

namespace ClipSharp.Data.Pipeline;

/// <summary>
/// Maps a sequence on worker threads and hands the results back in input order. Workers pull the next input under a
/// lock (so the input enumerator runs on one thread at a time), map it outside the lock and park the result by
/// sequence number; the consumer takes results strictly in order. At most <c>window</c> items are in flight or
/// parked (the bounded prefetch queue). An exception from the mapping is rethrown when its item's turn comes; one
/// from the input enumerator when the consumer reaches the point where it happened. With 0 workers everything runs
/// on the consumer's thread.
/// </summary>
internal sealed class OrderedParallelMap<TIn, TOut> : IDisposable
{
    private readonly object _gate = new();
    private readonly IEnumerator<TIn> _source;
    private readonly Func<TIn, TOut> _map;
    private readonly int _window;
    private readonly Thread[] _threads;
    private readonly Dictionary<long, (TOut? Value, ExceptionDispatchInfo? Error)> _done = new();
    private long _nextIn, _nextOut, _endSeq = long.MaxValue;
    private ExceptionDispatchInfo? _sourceError;
    private bool _stopped, _disposed;

    public OrderedParallelMap(IEnumerable<TIn> source, Func<TIn, TOut> map, int workers, int window, string name = "clipsharp-data")
    {
        _source = source.GetEnumerator();
        _map = map;
        _window = Math.Max(1, window);
        _threads = new Thread[workers];
        for (int i = 0; i < workers; i++)
        {
            _threads[i] = new Thread(Work) { IsBackground = true, Name = $"{name}-{i}" };
            _threads[i].Start();
        }
    }

    /// <summary>The next result in input order; false when the input is exhausted.</summary>
    public bool TryTake(out TOut value)
    {
        if (_threads.Length == 0) return TakeInline(out value);
        lock (_gate)
        {
            while (true)
            {
                if (_done.Remove(_nextOut, out var r))
                {
                    _nextOut++;
                    Monitor.PulseAll(_gate);
                    r.Error?.Throw();
                    value = r.Value!;
                    return true;
                }
                if (_nextOut >= _endSeq)
                {
                    _sourceError?.Throw();
                    value = default!;
                    return false;
                }
                Monitor.Wait(_gate);
            }
        }
    }

    private bool TakeInline(out TOut value)
    {
        if (!_source.MoveNext()) { value = default!; return false; }
        value = _map(_source.Current);
        return true;
    }

    private void Work()
    {
        while (true)
        {
            TIn item;
            long seq;
            lock (_gate)
            {
                while (!_stopped && _endSeq == long.MaxValue && _nextIn - _nextOut >= _window) Monitor.Wait(_gate);
                if (_stopped || _endSeq != long.MaxValue) return;
                try
                {
                    if (!_source.MoveNext())
                    {
                        _endSeq = _nextIn;
                        Monitor.PulseAll(_gate);
                        return;
                    }
                    item = _source.Current;
                }
                catch (Exception e)
                {
                    _sourceError = ExceptionDispatchInfo.Capture(e);
                    _endSeq = _nextIn;
                    Monitor.PulseAll(_gate);
                    return;
                }
                seq = _nextIn++;
            }
            (TOut? Value, ExceptionDispatchInfo? Error) result;
            try { result = (_map(item), null); }
            catch (Exception e) { result = (default, ExceptionDispatchInfo.Capture(e)); }
            lock (_gate)
            {
                _done[seq] = result;
                Monitor.PulseAll(_gate);
            }
        }
    }

    /// <summary>Stops the workers (after their current item), waits for them and disposes the input enumerator.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        lock (_gate)
        {
            _stopped = true;
            Monitor.PulseAll(_gate);
        }
        foreach (var t in _threads) t.Join();
        (_done.Values.Select(v => v.Value).OfType<IDisposable>().ToList()).ForEach(d => d.Dispose());
        _done.Clear();
        _source.Dispose();
    }
}

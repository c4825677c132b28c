using NetVips;

namespace ClipSharp.Data.Images;

/// <summary>
/// libvips reports recoverable decode trouble (corrupt JPEG data, tile errors) as GLib warnings written straight to
/// stderr ("VIPS-WARNING **: ..."), outside the project's bad-sample reporting. <see cref="Capture"/> replaces that
/// with a handler that hands each warning to the image being decoded on the emitting thread: <see cref="ImageDecoder"/>
/// puts them in its error message when the image is bad (the sample is counted with its reason) and on
/// <see cref="DecodedImage.Warnings"/> when it is usable (<c>data inspect</c> counts those). Warnings from libvips calls
/// outside a decode are counted in <see cref="Unattributed"/>.
/// Installing a GLib log handler is process-wide, so the library never does it on its own: an entry point that owns
/// the console (the CLI, a host application) calls <see cref="Capture"/> once.
/// </summary>
public static class VipsWarnings
{
    [ThreadStatic] private static List<string>? _collecting;
    private static readonly object Gate = new();
    private static Log.LogDelegate? _handler;   // kept alive: libvips holds a pointer to it
    private static long _unattributed;

    /// <summary>True once <see cref="Capture"/> has run in this process.</summary>
    public static bool Captured { get { lock (Gate) return _handler is not null; } }

    /// <summary>Warnings that arrived while no decode was collecting them on their thread.</summary>
    public static long Unattributed => Interlocked.Read(ref _unattributed);

    /// <summary>Routes libvips' warnings to the decoding thread instead of stderr. Idempotent.</summary>
    public static void Capture()
    {
        lock (Gate)
        {
            if (_handler is not null) return;
            _handler = (_, _, message) =>
            {
                if (_collecting is { } list) list.Add(message.Trim());
                else Interlocked.Increment(ref _unattributed);
            };
            Log.SetLogHandler("VIPS", Enums.LogLevelFlags.Warning, _handler);
        }
    }

    /// <summary>Collects the warnings emitted on this thread until the returned scope is disposed (scopes nest).</summary>
    internal static Collector Collect() => new(_collecting);

    /// <summary>One decode's warnings on the current thread.</summary>
    internal readonly struct Collector : IDisposable
    {
        private readonly List<string>? _outer;
        private readonly List<string> _mine = [];

        public Collector(List<string>? outer)
        {
            _outer = outer;
            _collecting = _mine;
        }

        /// <summary>What was collected so far.</summary>
        public IReadOnlyList<string> Warnings => _mine;

        /// <summary>" (libvips: a; b)" or "" when nothing was said.</summary>
        public string Suffix => _mine.Count == 0 ? "" : $" (libvips: {string.Join("; ", _mine.Distinct())})";

        public void Dispose()
        {
            _collecting = _outer;
            _outer?.AddRange(_mine);
        }
    }
}

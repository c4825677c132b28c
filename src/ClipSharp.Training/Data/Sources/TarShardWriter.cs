using System.Formats.Tar;

namespace ClipSharp.Data.Sources;

/// <summary>
/// Writes one webdataset shard (used by the world generator and `clipsharp data convert`): a ustar tar whose entries are <c>&lt;key&gt;.&lt;ext&gt;</c>, grouped by key in order.
/// Entries carry a fixed mtime, mode 0644 and uid/gid 0, so the bytes depend only on the content. The shard is written
/// to a temporary name and renamed by <see cref="Complete"/>, so a reader never sees half a shard.
/// </summary>
public sealed class TarShardWriter : IDisposable
{
    /// <summary>The mtime of every entry (2024-01-01T00:00:00Z).</summary>
    public static readonly DateTimeOffset FixedTime = new(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly string _path;
    private readonly string _tmp;
    private readonly FileStream _stream;
    private readonly TarWriter _writer;
    private bool _done;

    /// <summary>Opens <paramref name="path"/> for writing.</summary>
    public TarShardWriter(string path)
    {
        _path = path;
        _tmp = path + ".tmp";
        _stream = new FileStream(_tmp, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
        _writer = new TarWriter(_stream, TarEntryFormat.Ustar, leaveOpen: true);
    }

    /// <summary>Adds one member file.</summary>
    public void Add(string name, byte[] data)
    {
        var entry = new UstarTarEntry(TarEntryType.RegularFile, name)
        {
            ModificationTime = FixedTime,
            Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead,
            Uid = 0,
            Gid = 0,
            DataStream = new MemoryStream(data, writable: false),
        };
        _writer.WriteEntry(entry);
    }

    /// <summary>Finishes the archive and moves it to its final name.</summary>
    public void Complete()
    {
        _writer.Dispose();
        _stream.Dispose();
        File.Move(_tmp, _path, overwrite: true);
        _done = true;
    }

    /// <summary>Closes the file; an archive never completed is deleted.</summary>
    public void Dispose()
    {
        if (_done) return;
        _writer.Dispose();
        _stream.Dispose();
        File.Delete(_tmp);
    }
}

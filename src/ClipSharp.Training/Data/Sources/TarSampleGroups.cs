
namespace ClipSharp.Data.Sources;

/// <summary>One sample's members (extension → bytes) of a webdataset shard, or the read error that ends the shard.</summary>
public readonly record struct TarSampleGroup(string? Key, IReadOnlyDictionary<string, byte[]>? Members, BadSampleException? Error);

/// <summary>
/// Groups a webdataset shard's members into samples: consecutive members sharing a key (the member name up to the first
/// dot of its file name, <see cref="WebDatasetSource.SplitName"/>) form one sample; members without an extension are
/// ignored. An unreadable or damaged shard yields the samples before the damage (not the one cut in half), then one
/// group carrying the error, then ends. Shared by the training loader and the retrieval evaluator.
/// </summary>
public static class TarSampleGroups
{
    /// <summary>The groups of the shard at <paramref name="path"/>, in member order.</summary>
    public static IEnumerable<TarSampleGroup> Read(string path)
    {
        Stream? stream = null;
        BadSampleException? openError = null;
        try { stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            openError = new BadSampleException(BadSampleReasons.UnreadableFile, path, "(shard)", $"cannot open the shard ({e.Message})", e);
        }
        return openError is not null ? [new TarSampleGroup(null, null, openError)] : Groups(path, stream!);
    }

    private static IEnumerable<TarSampleGroup> Groups(string path, Stream stream)
    {
        using var reader = new TarStreamReader(stream);
        string? key = null;
        var members = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        while (true)
        {
            TarMember? member = null;
            BadSampleException? error = null;
            string? cutKey = null;
            try { member = reader.Next(); }
            catch (TarReadException e)
            {
                cutKey = e.MemberName is { } m && WebDatasetSource.SplitName(m) is { } kn ? kn.Key : null;
                error = new BadSampleException(e.Reason, path, cutKey ?? After(key), e.Message, e);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                error = new BadSampleException(BadSampleReasons.UnreadableFile, path, After(key), $"reading the shard failed ({e.Message})", e);
            }
            if (error is not null || member is not { } mem)
            {
                if (key is not null && key != cutKey) yield return new TarSampleGroup(key, members, null);
                if (error is not null) yield return new TarSampleGroup(null, null, error);
                yield break;
            }
            if (WebDatasetSource.SplitName(mem.Name) is not { } split) continue;
            if (split.Key != key)
            {
                if (key is not null)
                {
                    yield return new TarSampleGroup(key, members, null);
                    members = new Dictionary<string, byte[]>(StringComparer.Ordinal);
                }
                key = split.Key;
            }
            members.TryAdd(split.Ext, mem.Data);
        }
    }

    private static string After(string? key) => $"(after {key ?? "start"})";
}

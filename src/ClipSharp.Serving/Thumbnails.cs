using ClipSharp.Core;
using ClipSharp.Data.Images;
using ClipSharp.Inference;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Caching.Memory;

namespace ClipSharp.Serving;

/// <summary>
/// JPEG thumbnails of indexed files, square (short side resized with Pillow's bicubic, centre crop: the project's own
/// <see cref="EvalTransform"/>), decoded with the server's pixel-capped decoder from the file's real location (which
/// must lie under the served root), and kept in a size-bounded memory cache keyed by item, size and write time.
/// </summary>
public sealed class Thumbnails(SearchService service) : IDisposable
{
    /// <summary>Thumbnail edge when none is asked for.</summary>
    public const int DefaultSize = 192;

    /// <summary>Smallest and largest edge accepted.</summary>
    public const int MinSize = 32, MaxSize = 512;

    private readonly MemoryCache _cache = new(new MemoryCacheOptions { SizeLimit = service.Options.ThumbnailCacheBytes });

    /// <summary>The JPEG bytes of item <paramref name="id"/>'s thumbnail at <paramref name="size"/> pixels.</summary>
    public byte[] Get(string id, int size)
    {
        if (size is < MinSize or > MaxSize) throw ApiException.BadRequest("bad_size", $"size must be between {MinSize} and {MaxSize}, not {size}.");
        var (_, entry) = service.Entry(id);
        var key = (id, size, entry.WriteTicks);
        if (_cache.TryGetValue(key, out byte[]? cached) && cached is not null) return cached;
        var jpeg = Make(entry, size);
        _cache.Set(key, jpeg, new MemoryCacheEntryOptions { Size = jpeg.Length });
        return jpeg;
    }

    private byte[] Make(IndexEntry entry, int size)
    {
        var shown = service.Root.Relative(entry.Path);
        var path = service.Root.RequireRealInside(entry.Path, shown);
        var transform = new EvalTransform(PreprocessConfig.OpenAi(size), service.Decoder);
        try
        {
            using var decoded = service.Decoder.Decode(path, (size, size));
            using var img = transform.ApplyImage(decoded);
            return img.WriteToBuffer(".jpg", new NetVips.VOption { { "Q", 85 }, { "strip", true } });
        }
        catch (ClipSharpException e)
        {
            throw new ApiException(StatusCodes.Status422UnprocessableEntity, "bad_image", e.Message.Replace(path, shown, StringComparison.Ordinal));
        }
    }

    /// <inheritdoc/>
    public void Dispose() => _cache.Dispose();
}

using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace ClipSharp.Serving;

/// <summary>An item's metadata, as <c>GET /items/{id}</c> answers.</summary>
public sealed record ItemInfo(string Id, string Path, long Size, DateTime Modified, int Row, string Thumbnail);

/// <summary>A page of items in index order.</summary>
public sealed record ItemPage(IReadOnlyList<ItemInfo> Items, int Offset, int Total);

/// <summary>The server's state for <c>/healthz</c>.</summary>
public sealed record Health(string Status, int Items, int Dim, string Model);

/// <summary><c>GET /items</c>, <c>GET /items/{id}</c>, <c>GET /items/{id}/thumbnail</c>, <c>POST /items</c>, <c>GET /healthz</c>.</summary>
public static class ItemEndpoints
{
    /// <summary>Adds the routes.</summary>
    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/healthz", (SearchService s) => Results.Json(new Health("ok", s.Ids.Count, s.Index.Dim, s.Pipeline.Name), ApiJson.Options))
            .Produces<Health>().WithSummary("Liveness and the index size.");
        app.MapGet("/items", List).Produces<ItemPage>().Produces<ApiError>(400).WithSummary("Items in index order (offset, limit ≤ 1000).");
        app.MapGet("/items/{id}", (string id, SearchService s) => Results.Json(Info(s, id), ApiJson.Options))
            .Produces<ItemInfo>().Produces<ApiError>(404).WithSummary("An item's metadata.");
        app.MapGet("/items/{id}/thumbnail", Thumbnail)
            .Produces(200, contentType: "image/jpeg").Produces<ApiError>(404).Produces<ApiError>(422).WithSummary("A square JPEG thumbnail (size 32 to 512, default 192).");
        app.MapPost("/items", Add).Accepts<AddItemRequest>("application/json")
            .Produces<AddItemResponse>(201).Produces<AddItemResponse>().Produces<ApiError>(400).Produces<ApiError>(403)
            .WithSummary("Embed an image file under the served root and add it to the index.");
    }

    private static IResult List(SearchService s, int? offset, int? limit)
    {
        var (n, off) = ApiRequests.Page(limit ?? 100, offset, s.Options);
        var items = s.Ids.Page(off, n).Select(e => Info(s, ItemIds.Of(e.Path))).ToList();
        return Results.Json(new ItemPage(items, off, s.Ids.Count), ApiJson.Options);
    }

    private static ItemInfo Info(SearchService s, string id)
    {
        var (row, entry) = s.Entry(id);
        return new ItemInfo(id, s.Root.Relative(entry.Path), entry.Size, new DateTime(entry.WriteTicks, DateTimeKind.Utc), row, $"/items/{id}/thumbnail");
    }

    private static IResult Thumbnail(string id, int? size, Thumbnails thumbs, HttpContext ctx)
    {
        var jpeg = thumbs.Get(id, size ?? Thumbnails.DefaultSize);
        ctx.Response.Headers.CacheControl = "public, max-age=3600";
        return Results.Bytes(jpeg, "image/jpeg");
    }

    private static async Task<IResult> Add(HttpContext ctx, SearchService s, WriteGate gate)
    {
        var r = await ApiRequests.Json<AddItemRequest>(ctx.Request);
        await gate.Semaphore.WaitAsync(ctx.RequestAborted);   // one writer at a time; readers are never blocked by the model
        try
        {
            var (item, added) = s.Add(r.Path, ctx.RequestAborted);
            var body = new AddItemResponse(item, added, s.Ids.Count);
            return added ? Results.Json(body, ApiJson.Options, statusCode: 201) : Results.Json(body, ApiJson.Options);
        }
        finally { gate.Semaphore.Release(); }
    }
}

/// <summary>Serialises index writers (the index allows one writer at a time).</summary>
public sealed class WriteGate : IDisposable
{
    /// <summary>The writers' semaphore (one slot).</summary>
    public SemaphoreSlim Semaphore { get; } = new(1, 1);

    /// <inheritdoc/>
    public void Dispose() => Semaphore.Dispose();
}

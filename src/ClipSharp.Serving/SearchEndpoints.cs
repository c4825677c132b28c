using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace ClipSharp.Serving;

/// <summary><c>POST /search</c> (text, vector, item or uploaded image → ranked items) and <c>POST /embed</c>.</summary>
public static class SearchEndpoints
{
    /// <summary>Adds the routes.</summary>
    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapPost("/search", Search)
            .Accepts<SearchRequest>("application/json", "multipart/form-data")
            .Produces<SearchResponse>().Produces<ApiError>(400).Produces<ApiError>(404).Produces<ApiError>(413)
            .WithSummary("Rank the index against a text, a vector, an item (more like this) or an uploaded image (multipart field \"image\").");
        app.MapPost("/embed", Embed)
            .Accepts<EmbedRequest>("application/json", "multipart/form-data")
            .Produces<EmbedResponse>().Produces<ApiError>(400)
            .WithSummary("The model's unit embedding of a text (JSON) or an uploaded image (multipart field \"image\").");
    }

    private static async Task<IResult> Search(HttpContext ctx, SearchService s)
    {
        float[] query;
        int? k, offset;
        if (ApiRequests.IsMultipart(ctx.Request))
        {
            var (bytes, name, form) = await ApiRequests.Image(ctx.Request);
            (k, offset) = (ApiRequests.FormInt(form, "k"), ApiRequests.FormInt(form, "offset"));
            ApiRequests.Page(k, offset, s.Options);   // refuse a bad k before the model runs
            query = await s.EmbedImageAsync(bytes, name, ctx.RequestAborted);
        }
        else
        {
            var r = await ApiRequests.Json<SearchRequest>(ctx.Request);
            (k, offset) = (r.K, r.Offset);
            ApiRequests.Page(k, offset, s.Options);
            int given = (r.Text is null ? 0 : 1) + (r.Embedding is null ? 0 : 1) + (r.Id is null ? 0 : 1);
            if (given != 1)
                throw ApiException.BadRequest("missing_field", given == 0
                    ? "Give one of \"text\", \"embedding\" or \"id\" (or upload an image as multipart field \"image\")."
                    : "Give only one of \"text\", \"embedding\" or \"id\".");
            query = r.Text is { } t ? await s.EmbedTextAsync(ApiRequests.Text(t), ctx.RequestAborted)
                : r.Embedding is { } e ? s.NormaliseQuery(e)
                : s.Item(r.Id!).Vector;
        }
        var (kk, off) = ApiRequests.Page(k, offset, s.Options);
        var sw = Stopwatch.StartNew();
        var results = s.Search(query, kk, off);
        return Results.Json(new SearchResponse(results, kk, off, s.Ids.Count, sw.Elapsed.TotalMilliseconds), ApiJson.Options);
    }

    private static async Task<IResult> Embed(HttpContext ctx, SearchService s)
    {
        float[] v;
        if (ApiRequests.IsMultipart(ctx.Request))
        {
            var (bytes, name, _) = await ApiRequests.Image(ctx.Request);
            v = await s.EmbedImageAsync(bytes, name, ctx.RequestAborted);
        }
        else
        {
            var r = await ApiRequests.Json<EmbedRequest>(ctx.Request);
            v = await s.EmbedTextAsync(ApiRequests.Text(r.Text ?? throw ApiException.BadRequest("missing_field", "Give \"text\" (or upload an image as multipart field \"image\").")), ctx.RequestAborted);
        }
        return Results.Json(new EmbedResponse(v, v.Length, s.Pipeline.Name), ApiJson.Options);
    }
}

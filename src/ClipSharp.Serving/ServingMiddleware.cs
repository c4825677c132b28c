using System.Security.Cryptography;
using System.Text;
using ClipSharp.Core;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ClipSharp.Serving;

/// <summary>The request guards: errors as JSON, the body cap before any byte is read, and the API key.</summary>
public static class ServingMiddleware
{
    // paths anyone may fetch without the key: the page (it asks for the key itself), health and the API description
    private static readonly HashSet<string> Open = new(StringComparer.Ordinal) { "/healthz" };

    /// <summary>Turns every exception of the pipeline into a JSON error answer (4xx for the client's, 500 for ours).</summary>
    public static async Task Errors(HttpContext ctx, RequestDelegate next)
    {
        try { await next(ctx); }
        catch (ApiException e) { await ApiJson.WriteError(ctx, e.Status, e.Error, e.Message); }
        catch (BadHttpRequestException e) { await ApiJson.WriteError(ctx, e.StatusCode, ApiJson.CodeOf(e.StatusCode), e.Message); }
        catch (OperationCanceledException) when (ctx.RequestAborted.IsCancellationRequested) { }   // the client left
        catch (Exception e)
        {
            ctx.RequestServices.GetService<ILoggerFactory>()?.CreateLogger("ClipSharp.Serving").LogError(e, "{Method} {Path} failed", ctx.Request.Method, ctx.Request.Path);
            await ApiJson.WriteError(ctx, 500, "internal_error", e is ClipSharpException ? e.Message : $"{e.GetType().Name}: {e.Message}");
        }
    }

    /// <summary>Gives a body to an error answer that has none (unknown route, wrong method, failed parameter binding).</summary>
    public static Task EmptyErrorAsJson(HttpContext ctx)
    {
        int code = ctx.Response.StatusCode;
        var (method, path) = (ctx.Request.Method, SearchService.Shorten(ctx.Request.Path.Value ?? ""));
        var detail = code switch
        {
            404 => $"No route {method} {path}; the API is described at /openapi/v1.json.",
            405 => $"{method} is not allowed on {path}.",
            400 => $"{method} {path}: a route or query parameter has the wrong type or is missing.",
            415 => $"{method} {path} does not take Content-Type \"{ctx.Request.ContentType ?? "nothing"}\"; send application/json (or multipart/form-data with an \"image\" file to /search and /embed).",
            _ => $"{method} {path}: {Microsoft.AspNetCore.WebUtilities.ReasonPhrases.GetReasonPhrase(code)}.",
        };
        return ApiJson.WriteError(ctx, code, ApiJson.CodeOf(code), detail);
    }

    /// <summary>Refuses an announced body over the cap (413) and, with a key set, an API request without it (401).</summary>
    public static Func<HttpContext, RequestDelegate, Task> Guard(ServeOptions o)
    {
        var key = o.ApiKey is { Length: > 0 } k ? Encoding.UTF8.GetBytes(k) : null;
        return async (ctx, next) =>
        {
            if (ctx.Request.ContentLength > o.MaxBodyBytes)
            {
                ctx.Response.Headers.Connection = "close";   // the rest of the body is never read
                await ApiJson.WriteError(ctx, 413, "payload_too_large",
                    $"The body has {ctx.Request.ContentLength:N0} bytes; at most {o.MaxBodyBytes:N0} are accepted.");
                return;
            }
            if (key is not null && NeedsKey(ctx.Request.Path) && !HasKey(ctx.Request, key))
            {
                await ApiJson.WriteError(ctx, 401, "unauthorized", "This server needs an API key: send it as the X-Api-Key header or Authorization: Bearer KEY.");
                return;
            }
            await next(ctx);
        };
    }

    private static bool NeedsKey(PathString path) =>
        !Open.Contains(path.Value ?? "") && !StaticPage.Serves(path) && !path.StartsWithSegments("/openapi", StringComparison.Ordinal);

    private static bool HasKey(HttpRequest r, byte[] key)
    {
        var given = r.Headers["X-Api-Key"].ToString();
        var auth = r.Headers.Authorization.ToString();
        if (given.Length == 0 && auth.StartsWith("Bearer ", StringComparison.Ordinal)) given = auth[7..].Trim();
        return given.Length > 0 && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(given), key);
    }
}

using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace ClipSharp.Serving;

/// <summary>
/// The web page: plain HTML, JavaScript and CSS embedded in this assembly (<c>wwwroot/</c>) and served from memory,
/// so nothing is built or copied at install time. Strict headers: no sniffing, no framing, scripts from this origin.
/// </summary>
public static class StaticPage
{
    private static readonly Dictionary<string, (byte[] Bytes, string Type)> Files = Load();

    /// <summary>True for the page's own paths (open without an API key).</summary>
    public static bool Serves(PathString path) => path.Value is "/" or null || Files.ContainsKey(path.Value);

    /// <summary>Adds <c>GET /</c> and one route per embedded file.</summary>
    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/", (HttpContext ctx) => Serve(ctx, "/index.html")).ExcludeFromDescription();
        foreach (var path in Files.Keys) app.MapGet(path, (HttpContext ctx) => Serve(ctx, path)).ExcludeFromDescription();
    }

    private static IResult Serve(HttpContext ctx, string path)
    {
        var (bytes, type) = Files[path];
        var h = ctx.Response.Headers;
        h.XContentTypeOptions = "nosniff";
        h.XFrameOptions = "DENY";
        h.ContentSecurityPolicy = "default-src 'self'; img-src 'self' blob: data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'";
        h.CacheControl = "no-cache";
        return Results.Bytes(bytes, type);
    }

    private static Dictionary<string, (byte[], string)> Load()
    {
        var asm = typeof(StaticPage).Assembly;
        var files = new Dictionary<string, (byte[], string)>(StringComparer.Ordinal);
        foreach (var name in asm.GetManifestResourceNames().Where(n => n.StartsWith("wwwroot/", StringComparison.Ordinal)))
        {
            using var s = asm.GetManifestResourceStream(name)!;
            using var ms = new MemoryStream();
            s.CopyTo(ms);
            var type = Path.GetExtension(name) switch
            {
                ".html" => "text/html; charset=utf-8",
                ".js" => "text/javascript; charset=utf-8",
                ".css" => "text/css; charset=utf-8",
                ".svg" => "image/svg+xml",
                _ => "application/octet-stream",
            };
            files["/" + name["wwwroot/".Length..]] = (ms.ToArray(), type);
        }
        return files;
    }
}

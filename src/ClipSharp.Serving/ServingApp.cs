using System.Net;
using ClipSharp.Core;
using ClipSharp.Inference;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Timeouts;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Prometheus;

namespace ClipSharp.Serving;

/// <summary>
/// Builds the <c>clipsharp serve</c> web application: Kestrel on the given URLs (loopback unless an API key is set),
/// the JSON API (<see cref="SearchEndpoints"/>, <see cref="ItemEndpoints"/>), <c>/metrics</c> (Prometheus text via
/// prometheus-net: requests by route and status, a latency histogram, the index size), the OpenAPI document at
/// <c>/openapi/v1.json</c> and the page (<see cref="StaticPage"/>). Every refusal is a JSON <see cref="ApiError"/>.
/// </summary>
public static class ServingApp
{
    /// <summary>
    /// The application over <paramref name="index"/> and <paramref name="pipeline"/> (which the caller keeps and
    /// disposes after the app stops). Start it with <c>RunAsync</c> / <c>StartAsync</c>; <c>Urls</c> then holds the
    /// bound addresses. Errors (a non-loopback URL without a key, indexed files outside the root) are
    /// <see cref="ClipSharpException"/>s.
    /// </summary>
    public static WebApplication Build(ServeOptions options, ClipPipeline pipeline, EmbeddingIndex index, LogLevel logLevel = LogLevel.Warning)
    {
        RequireKeyOffLoopback(options);
        var service = new SearchService(options, pipeline, index);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], ApplicationName = typeof(ServingApp).Assembly.GetName().Name });
        builder.Logging.ClearProviders().AddSimpleConsole(c => c.SingleLine = true).SetMinimumLevel(logLevel);
        builder.WebHost.UseUrls(options.Urls);
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Limits.MaxRequestBodySize = options.MaxBodyBytes;
            k.AddServerHeader = false;
        });
        builder.Services.Configure<FormOptions>(f => { f.MultipartBodyLengthLimit = options.MaxBodyBytes; f.ValueCountLimit = 64; });
        builder.Services.AddSingleton(service).AddSingleton(new Thumbnails(service)).AddSingleton(new WriteGate());
        builder.Services.AddRequestTimeouts(t => t.DefaultPolicy = new RequestTimeoutPolicy
        {
            Timeout = options.RequestTimeout,
            TimeoutStatusCode = StatusCodes.Status408RequestTimeout,
            WriteTimeoutResponse = ctx => ApiJson.WriteError(ctx, 408, "request_timeout",
                $"The request took longer than {options.RequestTimeout.TotalSeconds:0.#} s (a slow upload or a busy server); try again."),
        });
        builder.Services.AddOpenApi(MultipartOpenApi.Add);
        if (options.CorsOrigins.Count > 0)
            builder.Services.AddCors(c => c.AddDefaultPolicy(p => p.WithOrigins([.. options.CorsOrigins]).AllowAnyHeader().WithMethods("GET", "POST")));
        var app = builder.Build();
        app.Lifetime.ApplicationStopped.Register(service.Dispose);
        if (options.Watch)
        {
            var gate = app.Services.GetRequiredService<WriteGate>();
            app.Lifetime.ApplicationStarted.Register(() =>
            {
                var watcher = new FolderWatcher(service, gate, app.Logger);
                app.Lifetime.ApplicationStopping.Register(watcher.Dispose);
            });
        }
        Configure(app, options, service);
        return app;
    }

    // order: routing (so metrics see the endpoint), metrics (they see the final status, errors included), JSON errors,
    // JSON status pages, CORS (a preflight needs no key), the body cap and the key, request timeouts, the endpoints
    private static void Configure(WebApplication app, ServeOptions options, SearchService service)
    {
        var registry = Metrics.NewCustomRegistry();
        var factory = Metrics.WithCustomRegistry(registry);
        var items = factory.CreateGauge("clipsharp_index_items", "Rows in the served embedding index.");
        registry.AddBeforeCollectCallback(() => items.Set(service.Ids.Count));
        app.UseRouting();
        app.UseHttpMetrics(m => m.SetMetricFactory(factory));
        app.Use(ServingMiddleware.Errors);
        app.UseStatusCodePages(ctx => ServingMiddleware.EmptyErrorAsJson(ctx.HttpContext));
        if (options.CorsOrigins.Count > 0) app.UseCors();
        app.Use(ServingMiddleware.Guard(options));
        app.UseRequestTimeouts();
        SearchEndpoints.Map(app);
        ItemEndpoints.Map(app);
        app.MapMetrics("/metrics", registry);
        app.MapOpenApi("/openapi/{documentName}.json");
        StaticPage.Map(app);
    }

    /// <summary>True when every URL binds a loopback address (localhost, 127.0.0.0/8, ::1).</summary>
    public static bool IsLoopbackOnly(string urls) => urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).All(u =>
    {
        var host = u.Split("://", 2)[^1].Split('/')[0];
        host = host.StartsWith('[') ? host[1..host.IndexOf(']')] : host.Split(':')[0];
        return host == "localhost" || IPAddress.TryParse(host, out var ip) && IPAddress.IsLoopback(ip);
    });

    private static void RequireKeyOffLoopback(ServeOptions o)
    {
        if (string.IsNullOrWhiteSpace(o.Urls)) throw new ClipSharpException("--urls is empty.");
        if (!IsLoopbackOnly(o.Urls) && string.IsNullOrEmpty(o.ApiKey))
            throw new ClipSharpException($"--urls {o.Urls} listens beyond this machine; give --api-key KEY (or CLIPSHARP_API_KEY) so only clients with the key can search and add.");
    }
}

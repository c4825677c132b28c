using System.CommandLine;
using ClipSharp.Core;
using ClipSharp.Inference;
using ClipSharp.Serving;
using Microsoft.Extensions.Hosting;

namespace ClipSharp.Cli.Commands;

/// <summary>`clipsharp serve --index I --model DIR [--root F] [--urls U]`: the search API and web page over an index.</summary>
public static class ServeCommand
{
    public static Command Create()
    {
        var d = new ServeOptions { IndexDirectory = "" };
        var index = new Option<string>("--index") { Description = "Index folder built by `clipsharp embed`.", Required = true };
        var root = new Option<string?>("--root") { Description = "The only folder read from and shown (default: the deepest folder holding every indexed file)." };
        var urls = new Option<string>("--urls") { Description = "Where to listen (';'-separated; loopback unless --api-key is given).", DefaultValueFactory = _ => d.Urls };
        var apiKey = new Option<string?>("--api-key") { Description = "Key API requests must send (X-Api-Key or Authorization: Bearer); default $CLIPSHARP_API_KEY." };
        var maxBody = new Option<int>("--max-body-mb") { Description = "Largest request body, in MB.", DefaultValueFactory = _ => (int)(d.MaxBodyBytes >> 20) };
        var maxPixels = new Option<long>("--max-pixels") { Description = "Largest decoded image (width × height).", DefaultValueFactory = _ => d.MaxPixels };
        var timeout = new Option<double>("--timeout") { Description = "Seconds a request may take (body upload included).", DefaultValueFactory = _ => d.RequestTimeout.TotalSeconds };
        var cors = new Option<string[]>("--cors-origin") { Description = "An origin allowed to call the API from a browser (repeatable; default none: CORS off)." };
        var watch = new Option<bool>("--watch") { Description = "Keep the index in step with the root while serving: new or changed images are added, deleted ones removed." };
        var m = new ModelOptions();
        var ann = new AnnCliOptions();
        var cmd = new Command("serve", "Serve an index over HTTP: search by text, image, vector or item; thumbnails; add images; a web page; /metrics; OpenAPI.");
        foreach (var o in new Option[] { index, root, urls, apiKey, maxBody, maxPixels, timeout, cors, watch }) cmd.Options.Add(o);
        m.AddTo(cmd);
        ann.AddTo(cmd);
        cmd.SetAction(async (r, cancel) =>
        {
            if (r.GetValue(maxBody) <= 0 || r.GetValue(maxPixels) <= 0 || r.GetValue(timeout) <= 0)
                throw new ClipSharpException("--max-body-mb, --max-pixels and --timeout must be positive.");
            var options = new ServeOptions
            {
                IndexDirectory = r.GetValue(index)!, Root = r.GetValue(root), Urls = r.GetValue(urls)!,
                ApiKey = r.GetValue(apiKey) ?? Environment.GetEnvironmentVariable("CLIPSHARP_API_KEY"),
                MaxBodyBytes = (long)r.GetValue(maxBody) << 20, MaxPixels = r.GetValue(maxPixels),
                RequestTimeout = TimeSpan.FromSeconds(r.GetValue(timeout)), CorsOrigins = r.GetValue(cors) ?? [], Watch = r.GetValue(watch),
            };
            // before loading the model: a typo fails fast; the graph's build parameters are the saved ones unless given
            using var idx = EmbeddingIndex.Open(options.IndexDirectory, ann.Parse(r, options.IndexDirectory));
            using var pipe = m.Load(r);
            await using var app = ServingApp.Build(options, pipe, idx);
            await app.StartAsync(cancel);
            var service = (SearchService)app.Services.GetService(typeof(SearchService))!;
            Console.WriteLine($"serving {service.Ids.Count} items of {idx.Directory} (root {service.Root.Path}) at {string.Join(", ", app.Urls)}");
            Console.WriteLine("page: /  API: /openapi/v1.json  metrics: /metrics  (Ctrl+C stops)");
            await app.WaitForShutdownAsync(cancel);
            return 0;
        });
        return cmd;
    }
}

using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ClipSharp.Inference;
using ClipSharp.Serving;
using ClipSharp.Tests.Evaluation;
using ClipSharp.Tests.Inference;
using ClipSharp.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ClipSharp.Tests.Serving;

/// <summary>
/// A tiny CLIPS model (the test run directory), a served root with 8 small images under images/ and an index of them;
/// <see cref="Start"/> runs <c>clipsharp serve</c>'s application in process on a loopback ephemeral port.
/// </summary>
public sealed class ServingFixture : IAsyncLifetime
{
    public const int ImageCount = 8;

    public string Model { get; private set; } = "";
    public string Root { get; private set; } = "";
    public string Index { get; private set; } = "";
    public ClipPipeline Pipeline { get; private set; } = null!;
    public IReadOnlyList<string> Images { get; private set; } = [];

    private readonly List<RunningServer> _servers = [];

    public Task InitializeAsync()
    {
        (Model, _) = ClipPipelineTests.RunDirectory(31);
        Root = TestPaths.NewTempDir("serve-root");
        Images = Enumerable.Range(0, ImageCount).Select(i =>
        {
            var p = Path.Combine(Root, "images", $"img{i}.png");
            EvalTestModels.WriteImage(p, 900 + i, 48 + 4 * i, 40);
            return p;
        }).ToList();
        Pipeline = ClipPipeline.Load(Model);
        Index = Path.Combine(TestPaths.NewTempDir("serve-index"), "index");
        IndexBuilder.Update(Pipeline, Path.Combine(Root, "images"), Index);
        return Task.CompletedTask;
    }

    /// <summary>A server over a copy of the index (tests that add items do not disturb the others).</summary>
    public async Task<RunningServer> Start(Func<ServeOptions, ServeOptions>? tweak = null, bool copyIndex = false)
    {
        var index = Index;
        if (copyIndex)
        {
            index = Path.Combine(TestPaths.NewTempDir("serve-index-copy"), "index");
            Directory.CreateDirectory(index);
            foreach (var f in Directory.GetFiles(Index)) File.Copy(f, Path.Combine(index, Path.GetFileName(f)));
        }
        var options = new ServeOptions { IndexDirectory = index, Root = Root, Urls = "http://127.0.0.1:0", RequestTimeout = TimeSpan.FromSeconds(2) };
        options = tweak?.Invoke(options) ?? options;
        var idx = EmbeddingIndex.Open(index);
        var app = ServingApp.Build(options, Pipeline, idx, LogLevel.None);
        await app.StartAsync();
        var server = new RunningServer(app, idx, new Uri(app.Urls.First()));
        lock (_servers) _servers.Add(server);
        return server;
    }

    public async Task DisposeAsync()
    {
        foreach (var s in _servers) await s.DisposeAsync();
        Pipeline?.Dispose();
    }
}

/// <summary>A started server and a client for it.</summary>
public sealed class RunningServer(WebApplication app, EmbeddingIndex index, Uri address) : IAsyncDisposable
{
    public Uri Address { get; } = address;
    public EmbeddingIndex Index { get; } = index;
    public SearchService Service => app.Services.GetRequiredService<SearchService>();
    public HttpClient Client { get; } = new() { BaseAddress = address, Timeout = TimeSpan.FromSeconds(60) };

    public async Task<(int Status, JsonNode? Body)> PostJson(string path, string json)
    {
        using var res = await Client.PostAsync(path, new StringContent(json, System.Text.Encoding.UTF8, "application/json"));
        return ((int)res.StatusCode, await Body(res));
    }

    public async Task<(int Status, JsonNode? Body)> Upload(string path, byte[] bytes, string name = "q.png", params (string Key, string Value)[] fields)
    {
        using var form = new MultipartFormDataContent { { new ByteArrayContent(bytes), "image", name } };
        foreach (var (k, v) in fields) form.Add(new StringContent(v), k);
        using var res = await Client.PostAsync(path, form);
        return ((int)res.StatusCode, await Body(res));
    }

    public async Task<(int Status, JsonNode? Body)> Get(string path)
    {
        using var res = await Client.GetAsync(path);
        return ((int)res.StatusCode, await Body(res));
    }

    public static async Task<JsonNode?> Body(HttpResponseMessage res)
    {
        var text = await res.Content.ReadAsStringAsync();
        return res.Content.Headers.ContentType?.MediaType == "application/json" ? JsonNode.Parse(text) : null;
    }

    /// <summary>Asserts that the server still answers /healthz.</summary>
    public async Task AssertHealthy()
    {
        var h = await Client.GetFromJsonAsync<JsonObject>("/healthz");
        Assert.Equal("ok", h!["status"]!.GetValue<string>());
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await app.StopAsync();
        await app.DisposeAsync();
        Index.Dispose();
    }
}

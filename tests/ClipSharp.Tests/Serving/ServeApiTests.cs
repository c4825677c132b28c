using System.Text.Json.Nodes;
using ClipSharp.Serving;

namespace ClipSharp.Tests.Serving;

/// <summary>The API of <c>clipsharp serve</c> over HTTP on loopback: every answer checked against the library's own.</summary>
public class ServeApiTests(ServingFixture fx) : IClassFixture<ServingFixture>
{
    private static string[] Paths(JsonNode body) => body["results"]!.AsArray().Select(r => r!["path"]!.GetValue<string>()).ToArray();

    private string Relative(string path) => Path.GetRelativePath(fx.Root, path);

    [Fact]
    public async Task TextVectorItemAndImageQueriesRankAsTheIndexDoes()
    {
        await using var s = await fx.Start();
        var (code, body) = await s.PostJson("/search", """{"text": "a red circle", "k": 5}""");
        Assert.Equal(200, code);
        var want = s.Index.Search(fx.Pipeline.EncodeText("a red circle"), 5).Select(h => Relative(h.Path)).ToArray();
        Assert.Equal(want, Paths(body!));
        var scores = body!["results"]!.AsArray().Select(r => r!["score"]!.GetValue<float>()).ToArray();
        Assert.Equal(scores.OrderDescending(), scores);
        Assert.All(body["results"]!.AsArray(), r => Assert.True(ItemIds.IsWellFormed(r!["id"]!.GetValue<string>())));
        Assert.Equal(ServingFixture.ImageCount, body["total"]!.GetValue<int>());

        // offset pages through the same ranking
        (code, var page2) = await s.PostJson("/search", """{"text": "a red circle", "k": 3, "offset": 2}""");
        Assert.Equal(200, code);
        Assert.Equal(want[2..5], Paths(page2!));

        // a vector from /embed ranks like the text it came from
        (code, var emb) = await s.PostJson("/embed", """{"text": "a red circle"}""");
        Assert.Equal(200, code);
        var vec = emb!["embedding"]!.AsArray().Select(v => v!.GetValue<float>()).ToArray();
        Assert.All(vec.Zip(fx.Pipeline.EncodeText("a red circle")), p => Assert.Equal(p.Second, p.First, 1e-6f));
        (code, var byVec) = await s.PostJson("/search", new JsonObject { ["embedding"] = new JsonArray(vec.Select(v => (JsonNode)v).ToArray()), ["k"] = 5 }.ToJsonString());
        Assert.Equal(200, code);
        Assert.Equal(want, Paths(byVec!));

        // more like this: an item's own vector finds it first
        var id = body["results"]![3]!["id"]!.GetValue<string>();
        (code, var like) = await s.PostJson("/search", $$"""{"id": "{{id}}", "k": 2}""");
        Assert.Equal(200, code);
        Assert.Equal(id, like!["results"]![0]!["id"]!.GetValue<string>());
        Assert.Equal(1f, like["results"]![0]!["score"]!.GetValue<float>(), 1e-4f);

        // an uploaded image finds its own file first, and /embed of it equals the pipeline's embedding
        var img = fx.Images[5];
        (code, var up) = await s.Upload("/search", File.ReadAllBytes(img), "q.png", ("k", "3"));
        Assert.Equal(200, code);
        Assert.Equal(Relative(img), Paths(up!)[0]);
        Assert.Equal(3, up!["results"]!.AsArray().Count);
        (code, var upEmb) = await s.Upload("/embed", File.ReadAllBytes(img));
        Assert.Equal(200, code);
        Assert.All(upEmb!["embedding"]!.AsArray().Zip(fx.Pipeline.EncodeImage(img)), p => Assert.Equal(p.Second, p.First!.GetValue<float>(), 1e-5f));
    }

    [Fact]
    public async Task ItemsThumbnailsHealthMetricsOpenApiAndThePage()
    {
        await using var s = await fx.Start();
        var (code, list) = await s.Get("/items?limit=3");
        Assert.Equal(200, code);
        Assert.Equal(3, list!["items"]!.AsArray().Count);
        var id = list["items"]![1]!["id"]!.GetValue<string>();
        (code, var item) = await s.Get($"/items/{id}");
        Assert.Equal(200, code);
        Assert.Equal("images/img1.png", item!["path"]!.GetValue<string>());
        Assert.Equal(new FileInfo(fx.Images[1]).Length, item["size"]!.GetValue<long>());

        var jpeg = await s.Client.GetByteArrayAsync($"/items/{id}/thumbnail?size=96");
        using (var thumb = NetVips.Image.NewFromBuffer(jpeg))
            Assert.Equal((96, 96, 3), (thumb.Width, thumb.Height, thumb.Bands));
        Assert.Equal(jpeg, await s.Client.GetByteArrayAsync($"/items/{id}/thumbnail?size=96"));   // from the cache

        Assert.Equal(404, (await s.Get("/items/0123456789abcdef")).Status);
        (code, var health) = await s.Get("/healthz");
        Assert.Equal((200, ServingFixture.ImageCount), (code, health!["items"]!.GetValue<int>()));
        var metrics = await s.Client.GetStringAsync("/metrics");
        Assert.Contains($"clipsharp_index_items {ServingFixture.ImageCount}", metrics);
        Assert.Contains("http_request_duration_seconds_bucket", metrics);
        Assert.Contains("code=\"404\"", metrics);   // refusals are counted with their final status
        Assert.Matches("http_requests_received_total\\{code=\"200\",method=\"GET\",[^}]*endpoint=\"/items/\\{id\\}\"", metrics);
        var openapi = JsonNode.Parse(await s.Client.GetStringAsync("/openapi/v1.json"))!;
        foreach (var route in new[] { "/search", "/embed", "/items", "/items/{id}", "/items/{id}/thumbnail", "/healthz" })
            Assert.NotNull(openapi["paths"]![route]);
        // The multipart form is described as what it is: a required binary "image" (+ k/offset for /search).
        foreach (var route in new[] { "/search", "/embed" })
        {
            var form = openapi["paths"]![route]!["post"]!["requestBody"]!["content"]!["multipart/form-data"]!["schema"]!;
            Assert.Equal("binary", form["properties"]!["image"]!["format"]!.GetValue<string>());
            Assert.Contains("image", form["required"]!.AsArray().Select(x => x!.GetValue<string>()));
            Assert.Equal(route == "/search", form["properties"]!["k"] is not null);
            Assert.Null(form["properties"]!["text"]);   // not the JSON request's fields
        }
        using var page = await s.Client.GetAsync("/");
        Assert.Contains("search-form", await page.Content.ReadAsStringAsync());
        Assert.Equal("nosniff", page.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.False(page.Headers.Contains("Access-Control-Allow-Origin"));   // CORS off by default

        await using var cors = await fx.Start(o => o with { CorsOrigins = ["http://app.example"], ApiKey = "k" });
        using var preflight = new HttpRequestMessage(HttpMethod.Options, "/search");
        preflight.Headers.Add("Origin", "http://app.example");
        preflight.Headers.Add("Access-Control-Request-Method", "POST");
        preflight.Headers.Add("Access-Control-Request-Headers", "content-type,x-api-key");
        using var answer = await cors.Client.SendAsync(preflight);
        Assert.True(answer.IsSuccessStatusCode, $"{(int)answer.StatusCode}");
        Assert.Equal("http://app.example", answer.Headers.GetValues("Access-Control-Allow-Origin").Single());
    }

    [Fact]
    public async Task AddedItemsAreSearchableAndConcurrentReadersNeverSeeATornIndex()
    {
        await using var s = await fx.Start(copyIndex: true);
        var added = Enumerable.Range(0, 4).Select(i =>
        {
            var p = Path.Combine(fx.Root, "new", $"add{i}-{Guid.NewGuid():N}.png");
            Tests.Evaluation.EvalTestModels.WriteImage(p, 950 + i, 52, 44);
            return p;
        }).ToList();
        using var stop = new CancellationTokenSource();
        var readers = Enumerable.Range(0, 3).Select(_ => Task.Run(async () =>
        {
            int checks = 0;
            while (!stop.IsCancellationRequested || checks == 0)
            {
                var (code, body) = await s.PostJson("/search", """{"text": "a shape", "k": 1000}""");
                Assert.Equal(200, code);
                var results = body!["results"]!.AsArray();
                Assert.Equal(body["total"]!.GetValue<int>(), results.Count);   // every row answered, none half-written
                Assert.Equal(results.Count, results.Select(r => r!["id"]!.GetValue<string>()).Distinct().Count());
                checks++;
            }
            return checks;
        })).ToList();
        foreach (var p in added)
        {
            var (code, body) = await s.PostJson("/items", new JsonObject { ["path"] = Relative(p) }.ToJsonString());
            Assert.True(code == 201, body?.ToJsonString());
            Assert.True(body!["added"]!.GetValue<bool>());
        }
        stop.Cancel();
        Assert.All(await Task.WhenAll(readers), n => Assert.True(n > 0));
        var (again, same) = await s.PostJson("/items", new JsonObject { ["path"] = added[0] }.ToJsonString());   // absolute, unchanged
        Assert.Equal(200, again);
        Assert.False(same!["added"]!.GetValue<bool>());
        var (_, up) = await s.Upload("/search", File.ReadAllBytes(added[2]), "q.png", ("k", "1"));
        Assert.Equal(Relative(added[2]), Paths(up!)[0]);
        Assert.Equal(ServingFixture.ImageCount + added.Count, s.Index.Count);
    }
}

/// <summary>--watch: an image copied under the root becomes searchable, a deleted one goes.</summary>
public class ServeWatchTests(ServingFixture fx) : IClassFixture<ServingFixture>
{
    [Fact]
    public async Task AWatchedRootAddsNewImagesAndDropsDeletedOnes()
    {
        await using var s = await fx.Start(o => o with { Watch = true }, copyIndex: true);
        var dir = Path.Combine(fx.Root, $"watched-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        await Task.Delay(200);   // the watcher starts with the app
        var file = Path.Combine(dir, "w.png");
        var staged = Path.Combine(Support.TestPaths.NewTempDir("watch-src"), "w.png");
        Tests.Evaluation.EvalTestModels.WriteImage(staged, 4242, 50, 42);
        File.Move(staged, file);   // appears whole, moved in
        await Until(() => s.Index.Count == ServingFixture.ImageCount + 1);
        var (_, up) = await s.Upload("/search", File.ReadAllBytes(file), "q.png", ("k", "1"));
        Assert.Equal(Path.GetRelativePath(fx.Root, file), up!["results"]![0]!["path"]!.GetValue<string>());
        File.Delete(file);
        await Until(() => s.Index.Count == ServingFixture.ImageCount);
        await s.AssertHealthy();
    }

    private static async Task Until(Func<bool> done)
    {
        var sw = System.Diagnostics.Stopwatch.StartNew();
        while (!done())
        {
            Assert.True(sw.Elapsed < TimeSpan.FromSeconds(20), "the watcher did not apply the change within 20 s");
            await Task.Delay(50);
        }
    }
}

using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using ClipSharp.Core;
using ClipSharp.Inference;
using ClipSharp.Serving;
using ClipSharp.Tests.Support;

namespace ClipSharp.Tests.Serving;

/// <summary>
/// Hostile and broken requests: each is answered with a 4xx and a JSON {error, detail} naming the problem, and the
/// server answers /healthz afterwards.
/// </summary>
public class ServeHostileInputTests(ServingFixture fx) : IClassFixture<ServingFixture>
{
    private static void AssertError(int status, JsonNode? body, int want, string error, string? detailHas = null)
    {
        Assert.True(status == want, $"{status} (wanted {want}): {body?.ToJsonString()}");
        Assert.NotNull(body);
        Assert.Equal(error, body!["error"]!.GetValue<string>());
        var detail = body["detail"]!.GetValue<string>();
        Assert.False(string.IsNullOrWhiteSpace(detail));
        if (detailHas is not null) Assert.Contains(detailHas, detail);
    }

    [Fact]
    public async Task BrokenJsonBadFieldsAndLimitsAreClearJsonErrors()
    {
        await using var s = await fx.Start();
        foreach (var (json, error, has) in new[]
                 {
                     ("{\"text\": ", "malformed_json", "not the expected JSON"),
                     ("[1, 2]", "malformed_json", null),
                     ("{\"txt\": \"a red circle\"}", "malformed_json", "txt"),
                     ("{\"text\": 5}", "malformed_json", "text"),
                     ("{}", "missing_field", "\"text\""),
                     ("{\"k\": 5}", "missing_field", null),
                     ("{\"text\": \"a\", \"id\": \"0123456789abcdef\"}", "missing_field", "only one"),
                     ("{\"text\": \"   \"}", "missing_field", "empty"),
                     ("{\"text\": \"a\", \"k\": 1000000}", "bad_k", "1000000"),
                     ("{\"text\": \"a\", \"k\": 0}", "bad_k", null),
                     ("{\"text\": \"a\", \"offset\": -1}", "bad_offset", null),
                     ("{\"embedding\": [1, 2, 3]}", "bad_embedding", "3 values"),
                     ("{\"text\": \"" + new string('x', 5000) + "\"}", "text_too_long", "5000"),
                 })
        {
            var (code, body) = await s.PostJson("/search", json);
            AssertError(code, body, 400, error, has);
        }
        var zeros = "{\"embedding\": [" + string.Join(",", Enumerable.Repeat("0", s.Index.Dim)) + "]}";
        AssertError(await s.PostJson("/search", zeros) is var z ? z.Status : 0, z.Body, 400, "bad_embedding", "zeros");
        using (var res = await s.Client.PostAsync("/search", new StringContent("a red circle", Encoding.UTF8, "text/plain")))
            AssertError((int)res.StatusCode, await RunningServer.Body(res), 415, "unsupported_media_type", "application/json");
        var (c2, b2) = await s.Upload("/search", File.ReadAllBytes(fx.Images[0]), "q.png", ("k", "many"));
        AssertError(c2, b2, 400, "bad_field", "\"k\"");
        await s.AssertHealthy();
    }

    [Fact]
    public async Task NonImagesAndDecompressionBombsAreRefusedBeforeDecoding()
    {
        await using var s = await fx.Start();
        var (code, body) = await s.Upload("/search", Encoding.UTF8.GetBytes("MZ this is not an image at all"), "evil.png");
        AssertError(code, body, 400, "bad_image", "not a readable image");
        (code, body) = await s.Upload("/embed", [], "empty.png");
        AssertError(code, body, 400, "bad_image", "empty");
        using (var form = new MultipartFormDataContent { { new StringContent("x"), "k" } })
        using (var res = await s.Client.PostAsync("/search", form))
            AssertError((int)res.StatusCode, await RunningServer.Body(res), 400, "missing_field", "\"image\"");

        // 8000 x 6000 grey PNG: ~50 kB on the wire, 48 Mpx decoded: over the 40 Mpx cap, refused from its header
        byte[] bomb;
        using (var black = NetVips.Image.Black(8000, 6000)) bomb = black.Cast(NetVips.Enums.BandFormat.Uchar).PngsaveBuffer(compression: 9);
        Assert.True(bomb.Length < 1 << 20, $"{bomb.Length} bytes");
        (code, body) = await s.Upload("/search", bomb, "bomb.png");
        AssertError(code, body, 400, "bad_image", "decompression bomb");
        // an indexed file replaced by a bomb: its thumbnail is refused from the header too (the cap holds for reads)
        File.WriteAllBytes(fx.Images[7], bomb);
        var id = ItemIds.Of(fx.Images[7]);
        (code, body) = await s.Get($"/items/{id}/thumbnail?size=64");
        AssertError(code, body, 422, "bad_image", "decompression bomb");
        Assert.DoesNotContain(fx.Root, body!["detail"]!.GetValue<string>());   // named relative to the root
        await s.AssertHealthy();
    }

    [Fact]
    public async Task TraversalIdsAndPathsNeverReachAFileOutsideTheRoot()
    {
        await using var s = await fx.Start(copyIndex: true);
        foreach (var id in new[] { "..%2F..%2F..%2Fetc%2Fpasswd", "%2e%2e%2f%2e%2e%2fetc%2fpasswd", "0123456789abcdef", "ZZZZ", "img0.png" })
        {
            var (code, body) = await s.Get($"/items/{id}");
            AssertError(code, body, 404, "unknown_item");
            (code, body) = await s.Get($"/items/{id}/thumbnail");
            AssertError(code, body, 404, "unknown_item");
        }
        var outside = TestPaths.NewTempDir("serve-outside");
        var secret = Path.Combine(outside, "secret.png");
        Tests.Evaluation.EvalTestModels.WriteImage(secret, 77);
        var link = Path.Combine(fx.Root, $"link-{Guid.NewGuid():N}.png");
        File.CreateSymbolicLink(link, secret);
        var linkedDir = Path.Combine(fx.Root, $"dir-{Guid.NewGuid():N}");
        Directory.CreateSymbolicLink(linkedDir, outside);
        foreach (var (path, status, error) in new[]
                 {
                     ("../../../../etc/passwd", 403, "outside_root"),
                     ("/etc/passwd", 403, "outside_root"),
                     (secret, 403, "outside_root"),
                     ("images/../../" + Path.GetFileName(outside) + "/secret.png", 403, "outside_root"),
                     (Path.GetFileName(link), 403, "outside_root"),
                     (Path.GetFileName(linkedDir) + "/secret.png", 403, "outside_root"),
                     ("images/none.png", 404, "file_not_found"),
                     ("", 400, "missing_field"),
                 })
        {
            var (code, body) = await s.PostJson("/items", new JsonObject { ["path"] = path }.ToJsonString());
            AssertError(code, body, status, error);
            if (path.Length > 0) Assert.DoesNotContain(outside, body!["detail"]!.GetValue<string>().Replace(path, ""));
        }
        File.WriteAllText(Path.Combine(fx.Root, "notes.txt"), "hello");
        var (c, b) = await s.PostJson("/items", """{"path": "notes.txt"}""");
        AssertError(c, b, 400, "not_an_image");
        Assert.Equal(ServingFixture.ImageCount, s.Index.Count);
        await s.AssertHealthy();
    }

    [Fact]
    public async Task UnknownRoutesOversizedBodiesAndSlowClientsGetJsonErrors()
    {
        await using var s = await fx.Start();
        var (code, body) = await s.Get("/nope");
        AssertError(code, body, 404, "not_found", "/nope");
        using (var res = await s.Client.DeleteAsync("/search"))
            AssertError((int)res.StatusCode, await RunningServer.Body(res), 405, "method_not_allowed");

        // a 100 MB body, announced: refused with 413 before it is read
        var (status, raw) = await Raw(s.Address, "POST /search HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 104857600\r\n\r\n", 100 << 20);
        Assert.Equal(413, status);
        AssertError(status, JsonNode.Parse(raw), 413, "payload_too_large", "104,857,600");
        // 25 MB chunked (no length announced): cut at the 20 MB cap while reading
        (status, raw) = await Raw(s.Address, "POST /search HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n", 25 << 20, chunked: true);
        AssertError(status, JsonNode.Parse(raw), 413, "payload_too_large");
        // a slow client: headers promise 100 bytes that never come; the 2 s request timeout answers 408
        var sw = System.Diagnostics.Stopwatch.StartNew();
        (status, raw) = await Raw(s.Address, "POST /search HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"te", 0);
        AssertError(status, JsonNode.Parse(raw), 408, "request_timeout");
        Assert.InRange(sw.Elapsed.TotalSeconds, 1.5, 30);
        await s.AssertHealthy();
    }

    [Fact]
    public async Task ARequestQueuedForTheModelPastItsDeadlineAnswers408WhileTheModelIsStillBusy()
    {
        await using var s = await fx.Start(o => o with { RequestTimeout = TimeSpan.FromSeconds(1) });
        var image = await File.ReadAllBytesAsync(fx.Images[0]);
        var sw = System.Diagnostics.Stopwatch.StartNew();
        Task<(int, JsonNode?)> text, upload;
        using (s.Service.HoldModel())   // a long forward pass has the model
        {
            text = s.PostJson("/search", """{"text": "a red circle"}""");
            upload = s.Upload("/embed", image);
            var both = Task.WhenAll(text, upload);
            // both leave the queue at their 1 s deadline; before the fix they waited for the model (here: forever)
            Assert.Same(both, await Task.WhenAny(both, Task.Delay(TimeSpan.FromSeconds(20))));
        }
        Assert.InRange(sw.Elapsed.TotalSeconds, 0.8, 20);
        var (status, body) = await text;
        AssertError(status, body, 408, "request_timeout");
        (status, body) = await upload;
        AssertError(status, body, 408, "request_timeout");
        // the gate is free again: the same queries answer
        Assert.Equal(200, (await s.PostJson("/search", """{"text": "a red circle"}""")).Status);
        Assert.Equal(200, (await s.Upload("/embed", image)).Status);
    }

    [Fact]
    public async Task AnApiKeyGuardsTheApiAndIsRequiredOffLoopback()
    {
        await using var s = await fx.Start(o => o with { ApiKey = "s3cret" });
        var (code, body) = await s.PostJson("/search", """{"text": "a red circle"}""");
        AssertError(code, body, 401, "unauthorized", "X-Api-Key");
        using (var req = new HttpRequestMessage(HttpMethod.Post, "/search") { Content = new StringContent("""{"text": "a"}""", Encoding.UTF8, "application/json") })
        {
            req.Headers.Add("X-Api-Key", "s3cret");
            using var res = await s.Client.SendAsync(req);
            Assert.Equal(200, (int)res.StatusCode);
        }
        using (var req = new HttpRequestMessage(HttpMethod.Get, "/items?limit=1"))
        {
            req.Headers.Authorization = new("Bearer", "wrong");
            using var res = await s.Client.SendAsync(req);
            Assert.Equal(401, (int)res.StatusCode);
        }
        Assert.Equal(200, (int)(await s.Client.GetAsync("/")).StatusCode);   // the page asks for the key itself
        await s.AssertHealthy();

        Assert.True(ServingApp.IsLoopbackOnly("http://127.0.0.1:8080;http://[::1]:8080;http://localhost:9"));
        Assert.False(ServingApp.IsLoopbackOnly("http://0.0.0.0:8080"));
        Assert.False(ServingApp.IsLoopbackOnly("http://*:8080"));
        using var idx = EmbeddingIndex.Open(fx.Index);
        var e = Assert.Throws<ClipSharpException>(() => ServingApp.Build(new ServeOptions { IndexDirectory = fx.Index, Urls = "http://0.0.0.0:0" }, fx.Pipeline, idx));
        Assert.Contains("--api-key", e.Message);
        e = Assert.Throws<ClipSharpException>(() => ServingApp.Build(new ServeOptions { IndexDirectory = fx.Index, Root = Path.Combine(fx.Root, "images", "..", "..") + "/x", Urls = "http://127.0.0.1:0" }, fx.Pipeline, idx));
        Assert.Contains("--root", e.Message);
    }

    // Sends a raw request: the head, then `bodyBytes` bytes of {"text": "aaaa… (as chunks when asked) while the answer is read;
    // returns the status and the answer's body (a refusal may close the connection before the body is sent).
    private static async Task<(int Status, string Body)> Raw(Uri address, string head, long bodyBytes, bool chunked = false)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(address.Host, address.Port);
        var stream = tcp.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head));
        var sender = Task.Run(async () =>
        {
            var block = new byte[1 << 20];
            Array.Fill(block, (byte)'a');
            var first = block.ToArray();
            "{\"text\": \""u8.CopyTo(first);
            var chunkHead = Encoding.ASCII.GetBytes($"{block.Length:X}\r\n");
            try
            {
                for (long sent = 0; sent < bodyBytes; sent += block.Length)
                {
                    if (chunked) await stream.WriteAsync(chunkHead);
                    await stream.WriteAsync(sent == 0 ? first : block);
                    if (chunked) await stream.WriteAsync("\r\n"u8.ToArray());
                }
            }
            catch (IOException) { }   // the server closed the connection after refusing: expected
        });
        using var reader = new StreamReader(stream, Encoding.ASCII);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var statusLine = await reader.ReadLineAsync(timeout.Token) ?? "";
        int status = int.Parse(statusLine.Split(' ')[1]);
        long length = -1;
        bool chunkedAnswer = false;
        for (var line = await reader.ReadLineAsync(timeout.Token); !string.IsNullOrEmpty(line); line = await reader.ReadLineAsync(timeout.Token))
        {
            if (line.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase)) length = long.Parse(line[15..].Trim());
            if (line.StartsWith("Transfer-Encoding:", StringComparison.OrdinalIgnoreCase) && line.Contains("chunked")) chunkedAnswer = true;
        }
        var body = new StringBuilder();
        for (long part = chunkedAnswer ? -1 : length; ;)
        {
            if (chunkedAnswer) part = Convert.ToInt64((await reader.ReadLineAsync(timeout.Token) ?? "0").Trim(), 16);
            var buf = new char[Math.Max(0, part)];
            int got = 0;
            while (got < buf.Length) { int n = await reader.ReadAsync(buf.AsMemory(got), timeout.Token); if (n == 0) break; got += n; }
            body.Append(buf, 0, got);
            if (!chunkedAnswer || part == 0 || got < part) break;
            await reader.ReadLineAsync(timeout.Token);   // the CRLF after a chunk
        }
        tcp.Close();
        await Task.WhenAny(sender, Task.Delay(5000));
        return (status, body.ToString());
    }
}

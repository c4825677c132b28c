using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json.Nodes;
using ClipSharp.Inference;
using ClipSharp.Tests.Evaluation;
using ClipSharp.Tests.Inference;
using ClipSharp.Tests.Support;
using Xunit.Abstractions;

namespace ClipSharp.Tests.Serving;

/// <summary>
/// Kill -9 during updates, for real: <c>clipsharp serve</c> runs in a child process (the test host), four clients
/// add images with <c>POST /items</c>, and the process is killed while adds are in flight. Restarted, the server opens
/// the index with every add it had acknowledged, no torn entry (entries and vector rows agree, each stored vector is
/// its file's embedding), and serves it.
/// </summary>
[Collection("TrainerProcesses")]
public class ServeKillDuringUpdateTests(ITestOutputHelper output)
{
    private sealed class Server : IDisposable
    {
        public Process Process { get; }
        public Uri Address { get; }
        public HttpClient Client { get; }

        public Server(string index, string model, string root)
        {
            var psi = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet")
            {
                RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
            };
            foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "ClipSharp.TestHost.dll"), "serve", "--index", index, "--model", model,
                         "--root", root, "--urls", "http://127.0.0.1:0", "--threads", "1" })
                psi.ArgumentList.Add(a);
            Process = Process.Start(psi)!;
            var err = Process.StandardError.ReadToEndAsync();
            var ready = Task.Run(() =>
            {
                for (var line = Process.StandardOutput.ReadLine(); line is not null; line = Process.StandardOutput.ReadLine())
                    if (line.StartsWith("serving ", StringComparison.Ordinal)) return line;
                return null;
            });
            if (!ready.Wait(TimeSpan.FromMinutes(2)) || ready.Result is not { } banner)
            {
                Process.Kill(true);
                throw new InvalidOperationException($"serve did not start: {(err.Wait(5000) ? err.Result : "")}");
            }
            _ = Task.Run(() => Process.StandardOutput.ReadToEnd());
            Address = new Uri(banner[(banner.LastIndexOf(" at ", StringComparison.Ordinal) + 4)..].Split(',')[0].Trim());
            Client = new HttpClient { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(30) };
        }

        public void Dispose()
        {
            Client.Dispose();
            if (!Process.HasExited) { Process.Kill(true); Process.WaitForExit(); }
            Process.Dispose();
        }
    }

    [Fact]
    public async Task KilledDuringAddsTheIndexReopensWithEveryAcknowledgedAddAndNoTornEntry()
    {
        var (model, _) = ClipPipelineTests.RunDirectory(41);
        var root = TestPaths.NewTempDir("serve-kill-root");
        for (int i = 0; i < 4; i++) EvalTestModels.WriteImage(Path.Combine(root, "seed", $"s{i}.png"), 700 + i);
        var news = Enumerable.Range(0, 200).Select(i => $"new/n{i:D3}.png").ToList();
        foreach (var n in news) EvalTestModels.WriteImage(Path.Combine(root, n), 2000 + news.IndexOf(n), 40, 32);
        var index = Path.Combine(TestPaths.NewTempDir("serve-kill-index"), "index");
        using (var pipe = ClipPipeline.Load(model)) IndexBuilder.Update(pipe, Path.Combine(root, "seed"), index);

        var acknowledged = new ConcurrentBag<string>();
        using (var server = new Server(index, model, root))
        {
            var queue = new ConcurrentQueue<string>(news);
            var clients = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
            {
                while (queue.TryDequeue(out var path))
                {
                    try
                    {
                        using var res = await server.Client.PostAsync("/items", new StringContent(new JsonObject { ["path"] = path }.ToJsonString(), System.Text.Encoding.UTF8, "application/json"));
                        if ((int)res.StatusCode == 201) acknowledged.Add(path);
                        else Assert.Fail($"{path}: {(int)res.StatusCode} {await res.Content.ReadAsStringAsync()}");
                    }
                    catch (HttpRequestException) { return; }   // the server is gone
                }
            })).ToList();
            var sw = Stopwatch.StartNew();
            while (acknowledged.Count < 12 && sw.Elapsed < TimeSpan.FromMinutes(2)) await Task.Delay(5);
            server.Process.Kill(entireProcessTree: true);   // SIGKILL with adds in flight
            server.Process.WaitForExit();
            await Task.WhenAll(clients);
        }
        output.WriteLine($"{acknowledged.Count} adds acknowledged before the kill");
        Assert.InRange(acknowledged.Count, 12, news.Count - 1);

        using (var pipe = ClipPipeline.Load(model))
        using (var idx = EmbeddingIndex.Open(index))
        {
            var entries = idx.Entries;
            var rows = (new FileInfo(Path.Combine(index, "vectors.f32")).Length - 16) / (idx.Dim * 4L);
            Assert.Equal(entries.Count, rows);   // no torn row: vectors and entries agree (after the open's repair)
            var paths = entries.Select(e => e.Path).ToHashSet();
            Assert.All(acknowledged, a => Assert.Contains(Path.Combine(root, a), paths));
            Assert.Equal(entries.Count, paths.Count);
            for (int r = 4; r < entries.Count; r++)   // every added row holds its own file's embedding
                Assert.All(pipe.EncodeImage(entries[r].Path).Zip(idx.Vector(r)), p => Assert.Equal(p.First, p.Second, 1e-4f));
        }
        using (var again = new Server(index, model, root))
        {
            var health = JsonNode.Parse(await again.Client.GetStringAsync("/healthz"))!;
            Assert.True(health["items"]!.GetValue<int>() >= 4 + acknowledged.Count);
        }
    }
}

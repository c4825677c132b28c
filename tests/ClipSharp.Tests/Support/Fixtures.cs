using System.Text.Json;
using static TorchSharp.torch;

namespace ClipSharp.Tests.Support;

/// <summary>Enumerates fixture sets (every ../shared/fixtures/*/manifest.json) and their model cases.</summary>
public static class Fixtures
{
    /// <summary>All manifest files, so a new fixture set dropped in is picked up with no code change.</summary>
    public static IEnumerable<string> Manifests() =>
        Directory.Exists(TestPaths.Fixtures)
            ? Directory.EnumerateFiles(TestPaths.Fixtures, "manifest.json", SearchOption.AllDirectories).Order()
            : [];

    /// <summary>(manifest path, model name) for every model entry whose kind is in <paramref name="kinds"/>.</summary>
    public static TheoryData<string, string> ModelCases(params string[] kinds)
    {
        var data = new TheoryData<string, string>();
        foreach (var m in Manifests())
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(m));
            if (!doc.RootElement.TryGetProperty("models", out var models)) continue;
            foreach (var e in models.EnumerateArray())
                if (kinds.Contains(e.GetProperty("kind").GetString()))
                    data.Add(Path.GetRelativePath(TestPaths.Fixtures, m), e.GetProperty("name").GetString()!);
        }
        return data;
    }

    /// <summary>The model entry of a manifest (a clone that outlives the document).</summary>
    public static (JsonElement Model, JsonElement Manifest, string Dir) Model(string manifest, string name)
    {
        var path = Path.Combine(TestPaths.Fixtures, manifest);
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        var root = doc.RootElement.Clone();
        var model = root.GetProperty("models").EnumerateArray().First(e => e.GetProperty("name").GetString() == name);
        return (model, root, Path.GetDirectoryName(path)!);
    }

    /// <summary>Strictly loads a state dict through the library's loader (the path users take).</summary>
    public static void LoadStrict(TorchSharp.torch.nn.Module module, IReadOnlyDictionary<string, Tensor> weights) =>
        ClipSharp.Checkpoints.StateDictLoader.Load(module, weights, strict: true);
}

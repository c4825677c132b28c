using System.Text.Json;
using ClipSharp.Tests.Support;
using ClipSharp.Text;

namespace ClipSharp.Tests.Parity;

/// <summary>
/// The tokenizer fixtures under fixtures/openclip/tokenizer (listed in the openclip manifest's "files"), read once:
/// every line of a case file is one case, addressed by its "id".
/// </summary>
public static class TokenizerFixtures
{
    public static string Dir => Path.Combine(TestPaths.Fixtures, "openclip", "tokenizer");
    public static string BpeGz => Path.Combine(Dir, "bpe_simple_vocab_16e6.txt.gz");
    public static string ClipsVocab => Path.Combine(Dir, "clips_vocab.txt");

    private static readonly Lazy<ClipBpeTokenizer> Bpe = new(() => ClipBpeTokenizer.FromOpenClipFile(BpeGz));
    private static readonly Lazy<ClipsWordPieceTokenizer> Clips = new(() => ClipsWordPieceTokenizer.FromFile(ClipsVocab));
    private static readonly Dictionary<string, Dictionary<int, JsonElement>> Files = new();

    public static ClipBpeTokenizer BpeTokenizer => Bpe.Value;
    public static ClipsWordPieceTokenizer ClipsTokenizer => Clips.Value;

    /// <summary>The case files named in the manifest that match a name fragment.</summary>
    public static string CaseFile(string name)
    {
        using var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(TestPaths.Fixtures, "openclip", "manifest.json")));
        var files = manifest.RootElement.GetProperty("files");
        var rel = files.ValueKind == JsonValueKind.Object
            ? files.EnumerateObject().Select(p => p.Name).Single(n => n.EndsWith("/" + name, StringComparison.Ordinal))
            : files.EnumerateArray().Select(e => e.GetString()!).Single(n => n.EndsWith("/" + name, StringComparison.Ordinal));
        return Path.Combine(TestPaths.Fixtures, "openclip", rel);
    }

    /// <summary>All cases of a jsonl file by id.</summary>
    public static Dictionary<int, JsonElement> Load(string path)
    {
        lock (Files)
        {
            if (Files.TryGetValue(path, out var cached)) return cached;
            var cases = new Dictionary<int, JsonElement>();
            foreach (var line in File.ReadLines(path))
            {
                if (string.IsNullOrWhiteSpace(line)) continue;
                var e = JsonDocument.Parse(line).RootElement;
                cases.Add(e.GetProperty("id").GetInt32(), e);
            }
            Files[path] = cases;
            return cases;
        }
    }

    /// <summary>Theory rows (id, category) for every case of a file.</summary>
    public static TheoryData<int, string> Rows(string path)
    {
        var rows = new TheoryData<int, string>();
        foreach (var (id, e) in Load(path).OrderBy(p => p.Key)) rows.Add(id, e.GetProperty("category").GetString()!);
        return rows;
    }

    public static long[] Longs(JsonElement e) => e.EnumerateArray().Select(x => x.GetInt64()).ToArray();
    public static int[] Ints(JsonElement e) => e.EnumerateArray().Select(x => x.GetInt32()).ToArray();

    /// <summary>Asserts two id sequences are equal; the message gives the first mismatching position and both rows.</summary>
    public static void AssertIds<T>(IReadOnlyList<T> expected, IReadOnlyList<T> actual, string what) where T : IEquatable<T>
    {
        var n = Math.Min(expected.Count, actual.Count);
        var first = -1;
        for (var i = 0; i < n && first < 0; i++) if (!expected[i].Equals(actual[i])) first = i;
        if (first < 0 && expected.Count != actual.Count) first = n;
        if (first >= 0)
            Assert.Fail($"{what}: first mismatch at position {first} (lengths {expected.Count} vs {actual.Count})\n" +
                        $"  expected [{string.Join(", ", expected)}]\n  actual   [{string.Join(", ", actual)}]");
    }
}

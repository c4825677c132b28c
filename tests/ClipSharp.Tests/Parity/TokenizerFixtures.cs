using System.Text.Json;
using ClipSharp.Tests.Support;
using ClipSharp.Text;

namespace ClipSharp.Tests.Parity;

/// <summary>
/// The tokenizer fixtures, read once: the shared set under fixtures/openclip/tokenizer and the repository's own
/// tests/fixtures/ftfy set (ftfy step cases, made by tests/fixture-gen/ftfy_cases.py), each listed in its manifest's
/// "files". Every line of a case file is one case, addressed by its "id".
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

    /// <summary>The fixture sets that hold tokenizer cases: "shared" (../shared/fixtures/openclip), "ftfy" (tests/fixtures/ftfy).</summary>
    public static readonly IReadOnlyList<string> Sets = ["shared", "ftfy"];

    /// <summary>The folder of a set's manifest.json.</summary>
    public static string SetRoot(string set) => set switch
    {
        "shared" => Path.Combine(TestPaths.Fixtures, "openclip"),
        "ftfy" => Path.Combine(TestPaths.RepoRoot, "tests", "fixtures", "ftfy"),
        _ => throw new ArgumentException($"unknown tokenizer fixture set '{set}'", nameof(set)),
    };

    /// <summary>The case file named in the shared manifest that matches a name fragment.</summary>
    public static string CaseFile(string name) => CaseFile("shared", name);

    /// <summary>The case file named in a set's manifest that matches a name fragment.</summary>
    public static string CaseFile(string set, string name)
    {
        var root = SetRoot(set);
        using var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(root, "manifest.json")));
        var files = manifest.RootElement.GetProperty("files");
        var rel = files.ValueKind == JsonValueKind.Object
            ? files.EnumerateObject().Select(p => p.Name).Single(n => n.EndsWith("/" + name, StringComparison.Ordinal))
            : files.EnumerateArray().Select(e => e.GetString()!).Single(n => n.EndsWith("/" + name, StringComparison.Ordinal));
        return Path.Combine(root, rel);
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

    /// <summary>Theory rows (set, id, category) for every case of a case file in every set.</summary>
    public static TheoryData<string, int, string> SetRows(string name)
    {
        var rows = new TheoryData<string, int, string>();
        foreach (var set in Sets)
            foreach (var (id, e) in Load(CaseFile(set, name)).OrderBy(p => p.Key)) rows.Add(set, id, e.GetProperty("category").GetString()!);
        return rows;
    }

    /// <summary>Theory rows (id, category) for every case of a file.</summary>
    public static TheoryData<int, string> Rows(string path)
    {
        var rows = new TheoryData<int, string>();
        foreach (var (id, e) in Load(path).OrderBy(p => p.Key)) rows.Add(id, e.GetProperty("category").GetString()!);
        return rows;
    }

    /// <summary>
    /// A case's input text: "text_codepoints" where the case has it (text with lone surrogates, which JSON readers
    /// reject), else "text".
    /// </summary>
    public static string Text(JsonElement c)
    {
        if (!c.TryGetProperty("text_codepoints", out var cps)) return c.GetProperty("text").GetString()!;
        var sb = new System.Text.StringBuilder();
        foreach (var cp in cps.EnumerateArray().Select(e => e.GetInt32()))
            sb.Append(cp is >= 0xD800 and <= 0xDFFF ? ((char)cp).ToString() : char.ConvertFromUtf32(cp));
        return sb.ToString();
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

using ClipSharp.Data;
using ClipSharp.Text;
using static ClipSharp.Tests.Data.Loading.BadCorpus;

namespace ClipSharp.Tests.Data.Loading;

/// <summary>Every kind of bad webdataset input is skipped and counted by reason, good samples around it survive, and
/// strict mode turns it into an error naming the shard and key.</summary>
public class BadWebDatasetTests
{
    // Per-sample cases: the members of sample "key" and the reason it must be skipped with.
    private static readonly Dictionary<string, (Func<string, IEnumerable<(string, byte[])>> Members, string Reason)> Cases = new()
    {
        ["corrupt"] = (k => [($"{k}.jpg", Garbage(700)), ($"{k}.json", Json("a cat", "A cat."))], BadSampleReasons.CorruptImage),
        ["truncjpg"] = (k => [($"{k}.jpg", Truncated(Good(20).Jpg)), ($"{k}.json", Json("a cat", "A cat."))], BadSampleReasons.CorruptImage),
        ["noimage"] = (k => [($"{k}.json", Json("a cat", "A cat.")), ($"{k}.txt", "a cat"u8.ToArray())], BadSampleReasons.MissingImage),
        ["zero"] = (k => [($"{k}.jpg", []), ($"{k}.json", Json("a cat", "A cat."))], BadSampleReasons.EmptyImage),
        ["huge"] = (k => [($"{k}.png", GiganticPng()), ($"{k}.json", Json("a cat", "A cat."))], BadSampleReasons.ImageTooLarge),
        ["noweb"] = (k => [($"{k}.jpg", Good(21).Jpg), ($"{k}.json", Json(null, "A cat."))], BadSampleReasons.MissingWebCaption),
        ["emptyweb"] = (k => [($"{k}.jpg", Good(22).Jpg), ($"{k}.json", Json("  \t ", "A cat."))], BadSampleReasons.EmptyWebCaption),
        ["nosynth"] = (k => [($"{k}.jpg", Good(23).Jpg), ($"{k}.json", Json("a cat", null))], BadSampleReasons.MissingSyntheticCaption),
        ["emptysynth"] = (k => [($"{k}.jpg", Good(24).Jpg), ($"{k}.json", Json("a cat", ""))], BadSampleReasons.EmptySyntheticCaption),
        ["badutf"] = (k => [($"{k}.jpg", Good(25).Jpg), ($"{k}.txt", InvalidUtf8)], BadSampleReasons.InvalidUtf8),
        ["badutfjson"] = (k => [($"{k}.jpg", Good(26).Jpg), ($"{k}.json", [.. "{\"org_caption\": \""u8, .. InvalidUtf8, .. "\"}"u8])], BadSampleReasons.InvalidUtf8),
        ["badjson"] = (k => [($"{k}.jpg", Good(27).Jpg), ($"{k}.json", "{\"org_caption\": \"a"u8.ToArray())], BadSampleReasons.InvalidJson),
    };

    public static TheoryData<string> CaseNames => new(Cases.Keys);

    private static LoaderOptions Options(string pattern, bool strict = false) => TestWorld.Options(batch: 2, workers: 2) with
    {
        Sources = [DataSourceSpec.Wds(pattern)],
        Captions = new CaptionViewOptions { Tokenizer = TestWorld.Tokenizer, SyntheticFull = true },
        ShuffleBuffer = 4,
        DropLast = false,
        Strict = strict,
    };

    /// <summary>Writes the corpus; returns its shard pattern and the keys that must come through.</summary>
    private static (string Pattern, List<string> GoodKeys) WriteCorpus(string dir)
    {
        var good = new List<string>();
        IEnumerable<(string, byte[])> G(int i, string key) { good.Add(key); return GoodMembers(i, key); }

        // shard 0: every per-sample case, each between good samples
        var members = new List<(string, byte[])>();
        int gi = 0;
        members.AddRange(G(gi++, "s0-good-first"));
        foreach (var (name, c) in Cases)
        {
            members.AddRange(c.Members($"s0-{name}"));
            members.AddRange(G(gi++, $"s0-good-after-{name}"));
        }
        File.WriteAllBytes(Path.Combine(dir, "bad-0.tar"), Tar(members).Tar);

        // shard 1: the file ends inside the data of the last sample's image (truncated_member)
        var (t1, o1) = Tar([.. G(gi++, "s1-a"), .. G(gi++, "s1-b"), ($"s1-cut.json", Json("x", "y")), ($"s1-cut.jpg", Good(gi++).Jpg)]);
        File.WriteAllBytes(Path.Combine(dir, "bad-1.tar"), t1[..(int)(o1[^1] + 512 + 100)]);

        // shard 2: the file ends inside a header (truncated_shard); both complete samples survive
        var (t2, o2) = Tar([.. G(gi++, "s2-a"), .. G(gi++, "s2-b"), .. GoodMembers(gi++, "s2-lost")]);
        File.WriteAllBytes(Path.Combine(dir, "bad-2.tar"), t2[..(int)(o2[4] + 200)]);

        // shard 3: a header with a wrong checksum (corrupt_shard); the rest of the shard is skipped
        var (t3, o3) = Tar([.. G(gi++, "s3-a"), .. GoodMembers(gi++, "s3-lost"), .. GoodMembers(gi++, "s3-lost2")]);
        t3[o3[2] + 10] ^= 0x5A;
        File.WriteAllBytes(Path.Combine(dir, "bad-3.tar"), t3);

        // shard 4: a directory where a shard should be (unreadable_file)
        Directory.CreateDirectory(Path.Combine(dir, "bad-4.tar"));
        return (Path.Combine(dir, "bad-{0..4}.tar"), good);
    }

    [Fact]
    public void EveryBadCaseIsSkippedAndCountedWhileGoodSamplesSurvive()
    {
        var dir = Support.TestPaths.NewTempDir("clipsharp-bad-wds");
        var (pattern, good) = WriteCorpus(dir);
        var logged = new List<string>();
        // batches of 1 in file order: epoch 1 starts with a good sample, so stopping at its first batch counts epoch 0 exactly
        var options = Options(pattern) with { BatchSize = 1, ShuffleBuffer = 0, ShuffleShards = false, Log = m => { lock (logged) logged.Add(m); } };
        using var loader = new DataLoader(options);
        var keys = new List<string>();
        foreach (var b in loader.Batches())
            using (b)
            {
                if (b.Position.Epoch > 0) break;
                keys.AddRange(b.Keys);
            }
        Assert.Equal(good.Order(StringComparer.Ordinal), keys.Order(StringComparer.Ordinal));

        var report = loader.BadSamples;
        var expected = Cases.Values.GroupBy(c => c.Reason).ToDictionary(g => g.Key, g => (long)g.Count());
        expected[BadSampleReasons.TruncatedMember] = 1;
        expected[BadSampleReasons.TruncatedShard] = 1;
        expected[BadSampleReasons.CorruptShard] = 1;
        expected[BadSampleReasons.UnreadableFile] = 1;
        Assert.True(expected.OrderBy(kv => kv.Key).SequenceEqual(report.Counts.OrderBy(kv => kv.Key)), report.ToJson(indented: true));
        Assert.Equal("s1-cut", report.First[BadSampleReasons.TruncatedMember].Key);
        Assert.EndsWith("bad-1.tar", report.First[BadSampleReasons.TruncatedMember].Origin);
        Assert.Contains("s2-b", report.First[BadSampleReasons.TruncatedShard].Key);
        Assert.EndsWith("bad-4.tar", report.First[BadSampleReasons.UnreadableFile].Origin);
        // the first occurrence of each reason is logged once, with shard and key
        Assert.Equal(expected.Count, logged.Count(l => l.StartsWith("skipping bad sample", StringComparison.Ordinal)));
        Assert.Contains(logged, l => l.Contains("bad-0.tar") && l.Contains("s0-huge") && l.Contains(BadSampleReasons.ImageTooLarge));
        Assert.Contains($"\"{BadSampleReasons.CorruptImage}\":{{\"count\":2", report.ToJson());
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void StrictModeFailsOnTheFirstBadSampleNamingShardAndKey(string name)
    {
        var dir = Support.TestPaths.NewTempDir("clipsharp-bad-strict");
        var shard = Path.Combine(dir, "one.tar");
        var (reason, members) = (Cases[name].Reason, Cases[name].Members("the-bad-one"));
        File.WriteAllBytes(shard, Tar([.. GoodMembers(0, "fine-0"), .. members, .. GoodMembers(1, "fine-1")]).Tar);
        using var loader = new DataLoader(Options(shard, strict: true));
        var e = Assert.Throws<BadSampleException>(() => { foreach (var b in loader.Batches()) b.Dispose(); });
        Assert.Equal(reason, e.Reason);
        Assert.Equal("the-bad-one", e.Key);
        Assert.Contains(shard, e.Message);
        Assert.Contains("\"the-bad-one\"", e.Message);
        // without strict the same shard gives its two good samples
        using var lenient = new DataLoader(Options(shard));
        using var batch = lenient.Batches().First();
        Assert.Equal(["fine-0", "fine-1"], batch.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(1, lenient.BadSamples[reason]);
    }

    [Fact]
    public void StrictModeNamesTheShardOfATruncatedTar()
    {
        var dir = Support.TestPaths.NewTempDir("clipsharp-bad-strict-tar");
        WriteCorpus(dir);
        var shard = Path.Combine(dir, "bad-1.tar");
        using var loader = new DataLoader(Options(shard, strict: true));
        var e = Assert.Throws<BadSampleException>(() => { foreach (var b in loader.Batches()) b.Dispose(); });
        Assert.Equal(BadSampleReasons.TruncatedMember, e.Reason);
        Assert.Contains(shard, e.Message);
        Assert.Contains("s1-cut", e.Message);
    }
}

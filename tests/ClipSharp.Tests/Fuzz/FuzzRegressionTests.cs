using System.Text;
using ClipSharp.Checkpoints;
using ClipSharp.Core;
using ClipSharp.Data.Sources;
using ClipSharp.Fuzz;
using ClipSharp.Modeling;
using ClipSharp.Tests.Support;
using ClipSharp.Training.Recipes;

namespace ClipSharp.Tests.Fuzz;

/// <summary>
/// One test per input the fuzzer (tests/ClipSharp.Fuzz) found breaking the reader contract, minimized and kept as
/// bytes: each must now end in a ClipSharpException that names the file (or a result), with bounded allocations.
/// Each also goes through the harness (<see cref="FuzzRunner.Replay"/>), which checks the whole contract.
/// </summary>
[Collection("Console")] // one test runs the CLI in-process, which redirects Console
public class FuzzRegressionTests
{
    private static readonly FuzzPaths Paths = new(TestPaths.RepoRoot, TestPaths.Fixtures);

    private static string Write(byte[] bytes, string name)
    {
        var path = Path.Combine(TestPaths.NewTempDir("fuzz-regression"), name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private static void AssertContractHolds(string target, byte[] input)
    {
        var report = new FuzzRunner(FuzzTargets.Create(target, Paths), new FuzzOptions(0, 0)).Replay([input]);
        Assert.True(report.FailureTotal == 0, report.ToString());
    }

    private static byte[] SafeTensors(byte[] header) => [.. BitConverter.GetBytes((long)header.Length), .. header];

    // Found by the first outside fuzz and again by this one: a header byte that is not UTF-8 ended in
    // "InvalidOperationException: Cannot transcode invalid UTF-8 JSON text" (the CLI's unexpected-error path).
    [Fact]
    public void SafeTensorsHeaderThatIsNotUtf8IsAClearError()
    {
        byte[] input = SafeTensors([.. "{\"a"u8, 0xED, .. "\":{}}"u8]);
        var path = Write(input, "bad-utf8.safetensors");
        var e = Assert.Throws<ClipSharpException>(() => SafeTensorsFile.Open(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("UTF-8", e.Message);
        AssertContractHolds("safetensors", input);
    }

    // The reported symptom, end to end: `clipsharp info` on such a file took the unexpected-error path (exit 1).
    [Fact]
    public void InfoOnASafeTensorsHeaderThatIsNotUtf8ExitsWithAClearError()
    {
        var path = Write(SafeTensors([.. "{\"a"u8, 0xFF, .. "\":{}}"u8]), "bad-utf8-info.safetensors");
        var (code, _, err) = ClipSharp.Tests.Cli.CliTests.Run("info", path);
        Assert.Equal(2, code);
        Assert.Contains(path, err);
        Assert.Contains("not valid UTF-8", err);
        Assert.DoesNotContain("unexpected", err);
    }

    // A JSON escape of a lone surrogate is valid JSON syntax but no string: reading it threw InvalidOperationException.
    [Fact]
    public void SafeTensorsMetadataWithALoneSurrogateIsAClearError()
    {
        byte[] input = SafeTensors("{\"__metadata__\":{\"k\":\"\\udc00\"}}"u8.ToArray());
        var path = Write(input, "surrogate.safetensors");
        var e = Assert.Throws<ClipSharpException>(() => SafeTensorsFile.Open(path));
        Assert.Contains(path, e.Message);
        AssertContractHolds("safetensors", input);
    }

    // The zip's end record claims an entry its central directory lacks: ZipArchive throws InvalidDataException lazily
    // (on Entries), after the constructor's catch.
    [Fact]
    public void ZipWithAMissingCentralDirectoryEntryIsAClearError()
    {
        var input = Convert.FromHexString("504b03040000000000000000000000000000000000000000000000000000504b05060000000001000100000000001e0000000000");
        var path = Write(input, "eocd.bin");
        var e = Assert.Throws<ClipSharpException>(() => TorchZipCheckpoint.Open(path));
        Assert.Contains(path, e.Message);
        AssertContractHolds("torchzip", input);
    }

    // data.pkl's sizes claim 200 bytes where 2 are stored: opening or reading the entry threw InvalidDataException /
    // EndOfStreamException.
    [Fact]
    public void ZipEntryShorterThanItsSizesIsAClearError()
    {
        var input = Convert.FromHexString(
            "504b03041400000000007033865dbb7df5f3c8000000c80000000a000000612f646174612e706b6c4e2e504b010214031400000000007033865dbb7df5f3c800" +
            "0000c80000000a0000000000000000000000800100000000612f646174612e706b6c504b05060000000001000100380000002a0000000000");
        var path = Write(input, "short.bin");
        var e = Assert.Throws<ClipSharpException>(() => TorchZipCheckpoint.Open(path));
        Assert.Contains(path, e.Message);
        AssertContractHolds("torchzip", input);
    }

    // data.pkl's central-directory entry claims 704 MiB for 2 stored bytes: the reader allocated the claimed size
    // (under its 1 GiB limit) before reading.
    [Fact]
    public void ZipEntryClaimingHundredsOfMegabytesIsRefusedWithoutAllocatingThem()
    {
        var input = Convert.FromHexString(
            "504b0304140000000000d234865dbb7df5f302000000020000000a000000612f646174612e706b6c4e2e504b01021403140000000000d234865dbb7df5f302" +
            "0000000000002a0a0000000000000000000000800100000000612f646174612e706b6c504b05060000000001000100380000002a0000000000");
        var path = Write(input, "claims-704mib.bin");
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<ClipSharpException>(() => TorchZipCheckpoint.Open(path));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Contains(path, e.Message);
        Assert.True(allocated < 16 << 20, $"allocated {allocated:N0} bytes");
        AssertContractHolds("torchzip", input);
    }

    // A 512-byte shard whose one header claims a 704 MiB member: the reader allocated the member's full size before
    // finding the file too short.
    [Fact]
    public void TarMemberClaimingMoreThanTheFileHoldsIsRefusedWithoutAllocatingIt()
    {
        var input = TarHeader("k.jpg", "05200000000");
        var path = Write(input, "huge-member.tar");
        long before = GC.GetAllocatedBytesForCurrentThread();
        var groups = TarSampleGroups.Read(path).ToList();
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        var error = Assert.Single(groups).Error;
        Assert.NotNull(error);
        Assert.Equal("truncated_member", error.Reason);
        Assert.Contains(path, error.Message);
        Assert.True(allocated < 16 << 20, $"allocated {allocated:N0} bytes");
        AssertContractHolds("tar", input);
    }

    // A caption .json whose string is a lone-surrogate escape: found by a hand-made input after the random campaign
    // missed it (it needs a well-formed tar around well-formed JSON); GetString threw InvalidOperationException.
    [Fact]
    public void TarCaptionJsonWithALoneSurrogateIsABadSample()
    {
        byte[] jpg = [0xFF, 0xD8, 0xFF, 0xD9], json = "{\"org_caption\": \"\\udc00 x\"}"u8.ToArray();
        byte[] input = [.. TarHeader("k.jpg", Convert.ToString(jpg.Length, 8).PadLeft(11, '0')), .. Padded(jpg),
            .. TarHeader("k.json", Convert.ToString(json.Length, 8).PadLeft(11, '0')), .. Padded(json)];
        var path = Write(input, "surrogate.tar");
        var record = Assert.Single(new WebDatasetSource(new ClipSharp.Data.DataSourceSpec { Path = path }).Read(0));
        var e = Assert.Throws<ClipSharp.Data.BadSampleException>(() => record.Load());
        Assert.Equal("invalid_json", e.Reason);
        Assert.Contains(path, e.Message);
        AssertContractHolds("tar", input);
    }

    private static byte[] Padded(byte[] data) => [.. data, .. new byte[(512 - data.Length % 512) % 512]];

    [Theory]
    [InlineData("{\"\\ud800\":0}")]
    [InlineData("{\"model\":\"\\udc00\"}")]
    public void RecipeWithALoneSurrogateIsAClearError(string json)
    {
        var path = Write(Encoding.UTF8.GetBytes(json), "surrogate.jsonc");
        var e = Assert.Throws<ClipSharpException>(() => RecipeReader.Read(path));
        Assert.Contains(path, e.Message);
        AssertContractHolds("recipe", Encoding.UTF8.GetBytes(json));
    }

    [Theory]
    [InlineData("{\"embed_dim\":2,\"vision_cfg\":{\"\\ud800\":2}}")]
    [InlineData("{\"model_cfg\":{\"\\udcce\":1}}")]
    public void ModelConfigWithALoneSurrogateIsAClearError(string json)
    {
        var path = Write(Encoding.UTF8.GetBytes(json), "surrogate.json");
        var e = Assert.Throws<ClipSharpException>(() => ModelConfigReader.ReadFile(path));
        Assert.Contains(path, e.Message);
        AssertContractHolds("modelconfig", Encoding.UTF8.GetBytes(json));
    }

    // A zero size used as a divisor (heads, patch_size, head_width) ended in DivideByZeroException.
    [Theory]
    [InlineData("{\"text_cfg\":{\"heads\":0}}")]
    [InlineData("{\"vision_cfg\":{\"patch_size\":0}}")]
    [InlineData("{\"vision_cfg\":{\"head_width\":0}}")]
    public void ModelConfigWithAZeroSizeIsAClearError(string json)
    {
        var path = Write(Encoding.UTF8.GetBytes(json), "zero.json");
        var e = Assert.Throws<ClipSharpException>(() => ModelConfigReader.ReadFile(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("positive", e.Message);
        AssertContractHolds("modelconfig", Encoding.UTF8.GetBytes(json));
    }

    // A 60,000-letter word (no spaces: one BPE piece) took about 20 s of CPU in the pass-loop BPE; the input is made
    // from a seeded generator rather than kept as 60 kB of bytes.
    [Fact]
    public void BpeOfAVeryLongWordTakesLessThanASecond()
    {
        var rng = new Random(1);
        var input = Enumerable.Range(0, 60_000).Select(_ => (byte)('a' + rng.Next(26))).ToArray();
        AssertContractHolds("bpe", input);
    }

    // The heap merge (LongPieceBpe, pieces over 256 bytes) against OpenCLIP's algorithm written out here: repeatedly
    // merge every occurrence of the lowest-ranked pair, left to right.
    [SharedFact]
    public void LongPieceBpeEqualsThePassLoop()
    {
        var vocab = ClipSharp.Tests.Parity.TokenizerFixtures.BpeTokenizer.Vocabulary;
        var rng = new Random(3);
        string[] alphabets = ["abcdefghijklmnopqrstuvwxyz", "etaoinshrdl", "ab", "éàüßçñ日本語"];
        for (int k = 0; k < 200; k++)
        {
            var a = alphabets[k % alphabets.Length];
            var word = new string(Enumerable.Range(0, 100 + rng.Next(900)).Select(_ => a[rng.Next(a.Length)]).ToArray());
            var bytes = Encoding.UTF8.GetBytes(word);
            var symbols = bytes.Select((b, i) => i == bytes.Length - 1 ? vocab.ByteSymbolEndIds[b] : vocab.ByteSymbolIds[b]).ToArray();
            Assert.Equal(PassLoop([.. symbols], vocab), ClipSharp.Text.LongPieceBpe.Merge([.. symbols], vocab));
        }
    }

    private static int[] PassLoop(List<int> s, ClipSharp.Text.ClipBpeVocabulary vocab)
    {
        while (s.Count > 1)
        {
            int best = int.MaxValue, left = -1, right = -1, merged = -1;
            for (int i = 0; i < s.Count - 1; i++)
                if (vocab.TryMerge(s[i], s[i + 1], out var rank, out var m) && rank < best) (best, left, right, merged) = (rank, s[i], s[i + 1], m);
            if (merged < 0) break;
            var next = new List<int>();
            for (int i = 0; i < s.Count;)
                if (i < s.Count - 1 && s[i] == left && s[i + 1] == right) { next.Add(merged); i += 2; }
                else next.Add(s[i++]);
            s = next;
        }
        return [.. s];
    }

    // A ustar header (name, 11-digit octal size, checksum), nothing after it.
    private static byte[] TarHeader(string name, string octalSize)
    {
        var h = new byte[512];
        Encoding.ASCII.GetBytes(name).CopyTo(h, 0);
        Encoding.ASCII.GetBytes("0000644\0").CopyTo(h, 100);
        Encoding.ASCII.GetBytes(octalSize + "\0").CopyTo(h, 124);
        h[156] = (byte)'0';
        Encoding.ASCII.GetBytes("ustar\000").CopyTo(h, 257);
        Encoding.ASCII.GetBytes("        ").CopyTo(h, 148);
        int sum = h.Sum(b => b);
        Encoding.ASCII.GetBytes(Convert.ToString(sum, 8).PadLeft(6, '0') + "\0 ").CopyTo(h, 148);
        return h;
    }
}

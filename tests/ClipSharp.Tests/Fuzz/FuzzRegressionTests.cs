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

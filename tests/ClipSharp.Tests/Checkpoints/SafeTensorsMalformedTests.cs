using System.Text;
using ClipSharp.Checkpoints;
using ClipSharp.Core;
using ClipSharp.Tests.Support;
using static TorchSharp.torch;

namespace ClipSharp.Tests.Checkpoints;

/// <summary>Every malformed safetensors file is refused on open, naming the file (and the key when there is one).</summary>
public class SafeTensorsMalformedTests
{
    private static string Write(string header, int dataBytes, string name = "bad.safetensors")
    {
        var path = Path.Combine(TestPaths.NewTempDir(), name);
        var h = Encoding.UTF8.GetBytes(header);
        File.WriteAllBytes(path, [.. BitConverter.GetBytes((long)h.Length), .. h, .. new byte[dataBytes]]);
        return path;
    }

    private static void AssertRefused(string path, params string[] fragments)
    {
        var e = Assert.Throws<ClipSharpException>(() => SafeTensorsFile.Open(path));
        Assert.Contains(path, e.Message);
        foreach (var f in fragments) Assert.Contains(f, e.Message);
    }

    [Theory]
    [InlineData("""{"w":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}""", 8, "'w'", "outside the data section")]          // truncated data
    [InlineData("""{"w":{"dtype":"Q4","shape":[4],"data_offsets":[0,16]}}""", 16, "'w'", "unsupported dtype 'Q4'")]
    [InlineData("""{"w":{"dtype":"F32","shape":[-1],"data_offsets":[0,16]}}""", 16, "'w'", "bad shape [-1]")]
    [InlineData("""{"w":{"dtype":"F32","shape":[2.5],"data_offsets":[0,16]}}""", 16, "'w'", "bad shape")]
    [InlineData("""{"w":{"dtype":"F32","shape":[4294967296,4294967296,4],"data_offsets":[0,16]}}""", 16, "'w'", "overflows")]
    [InlineData("""{"w":{"dtype":"F32","shape":[99999999999999999999],"data_offsets":[0,16]}}""", 16, "'w'", "bad shape")]
    [InlineData("""{"w":{"dtype":"F32","shape":[3],"data_offsets":[0,16]}}""", 16, "'w'", "needs 12 bytes but data_offsets give 16")]
    [InlineData("""{"w":{"dtype":"F32","shape":[2],"data_offsets":[8,0]}}""", 16, "'w'", "data_offsets [8, 0]")]
    [InlineData("""{"w":{"dtype":"F32","shape":[2],"data_offsets":[-8,0]}}""", 16, "'w'", "data_offsets [-8, 0]")]
    [InlineData("""{"w":{"dtype":"F32","shape":[2]}}""", 16, "'w'", "data_offsets must be [begin, end]")]
    [InlineData("""{"w":{"shape":[2],"data_offsets":[0,8]}}""", 16, "'w'", "missing dtype")]
    [InlineData("""{"w":[1,2]}""", 16, "'w'", "not an object")]
    [InlineData("""{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}""", 16, "'a'", "'b'", "overlap")]
    [InlineData("""{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"a":{"dtype":"F32","shape":[2],"data_offsets":[8,16]}}""", 16, "'a'", "appears twice")]
    [InlineData("""{"__metadata__":[1]}""", 0, "'__metadata__'")]
    [InlineData("""{not json""", 0, "not valid JSON")]
    [InlineData("""[1, 2]""", 0, "must be a JSON object")]
    public void MalformedHeadersAreRefused(string header, int dataBytes, params string[] fragments) =>
        AssertRefused(Write(header, dataBytes), fragments);

    [Fact]
    public void ZeroLengthAndShortFilesAreRefused()
    {
        var dir = TestPaths.NewTempDir();
        foreach (var n in new[] { 0, 5 })
        {
            var path = Path.Combine(dir, $"short{n}.safetensors");
            File.WriteAllBytes(path, new byte[n]);
            AssertRefused(path, $"only {n} bytes");
            Assert.Equal(CheckpointFormat.Unknown, CheckpointReader.Detect(path));
        }
    }

    [Fact]
    public void AHeaderLongerThanTheFileIsRefused()
    {
        var path = Path.Combine(TestPaths.NewTempDir(), "cut.safetensors");
        File.WriteAllBytes(path, [.. BitConverter.GetBytes(40L), .. "{\"w\":"u8.ToArray()]);
        AssertRefused(path, "header length 40");
    }

    [Fact]
    public void ChunkedCopiesReassembleTheTensor()
    {
        // The >2 GB path: tensors are filled through narrowed views, chunk by chunk; use 8-byte chunks here.
        var src = arange(10, dtype: ScalarType.Float32);
        var bytes = src.bytes.ToArray();
        using var dst = empty(10, ScalarType.Float32);
        TensorBytes.Fill(dst, new MemoryStream(bytes), chunkBytes: 8);
        Assert.True(dst.eq(src).all().item<bool>());
        using var dst2 = empty(10, ScalarType.Float32);
        var native = System.Runtime.InteropServices.Marshal.AllocHGlobal(bytes.Length);
        try
        {
            System.Runtime.InteropServices.Marshal.Copy(bytes, 0, native, bytes.Length);
            TensorBytes.Fill(dst2, native, chunkBytes: 12);
        }
        finally { System.Runtime.InteropServices.Marshal.FreeHGlobal(native); }
        Assert.True(dst2.eq(src).all().item<bool>());
    }

    [Fact]
    public void ReadsTensorsBeyondTheFirstTwoGigabytesOfASparseFile()
    {
        const long gap = 2_500_000_000L; // a U8 tensor of 2.5 GB that is never read; the file is sparse
        var header = Encoding.UTF8.GetBytes(
            "{\"gap\":{\"dtype\":\"U8\",\"shape\":[" + gap + "],\"data_offsets\":[0," + gap + "]}," +
            "\"tail\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[" + gap + "," + (gap + 16) + "]}}");
        var path = Path.Combine(TestPaths.NewTempDir(), "large.safetensors");
        var tail = tensor(new[] { 1f, -2f, 3.5f, 1e9f });
        using (var fs = new FileStream(path, FileMode.Create, FileAccess.Write))
        {
            fs.Write(BitConverter.GetBytes((long)header.Length));
            fs.Write(header);
            fs.SetLength(8 + header.Length + gap + 16);
            fs.Seek(8 + header.Length + gap, SeekOrigin.Begin);
            fs.Write(tail.bytes);
        }
        try
        {
            using var f = SafeTensorsFile.Open(path);
            Assert.Equal(gap, f.Entries["gap"].NumElements);
            using var t = f.Read("tail");
            Assert.True(t.eq(tail).all().item<bool>());
        }
        finally { File.Delete(path); }
    }
}

using ClipSharp.Checkpoints;
using ClipSharp.Core;
using ClipSharp.Tests.Support;
using static TorchSharp.torch;

namespace ClipSharp.Tests.Checkpoints;

public class SafeTensorsTests
{
    [Fact]
    public void RoundTripsEveryDType()
    {
        var dir = TestPaths.NewTempDir();
        var path = Path.Combine(dir, "t.safetensors");
        var tensors = new Dictionary<string, Tensor>
        {
            ["f32"] = randn(3, 4),
            ["f16"] = randn(5).to(ScalarType.Float16),
            ["bf16"] = randn(2, 2).to(ScalarType.BFloat16),
            ["i64"] = arange(7, dtype: ScalarType.Int64),
            ["u8"] = tensor(new byte[] { 0, 7, 255 }),
            ["scalar"] = tensor(2.5f),
            ["empty"] = zeros(0, 3),
        };
        SafeTensorsWriter.Save(path, tensors, new Dictionary<string, string> { ["format"] = "pt" });
        using var f = SafeTensorsFile.Open(path);
        Assert.Equal("pt", f.Metadata["format"]);
        foreach (var (name, t) in tensors)
        {
            var r = f.Read(name);
            Assert.Equal(t.dtype, r.dtype);
            Assert.Equal(t.shape, r.shape);
            Assert.True(t.eq(r).all().item<bool>(), name);
        }
    }

    [SharedFact]
    public void ReadsAFixtureWrittenByPythonSafetensors()
    {
        var path = Path.Combine(TestPaths.Fixtures, "openclip", "models", "oc-tiny-vit-a", "outputs.safetensors");
        using var f = SafeTensorsFile.Open(path);
        var t = f.Read("image_features");
        Assert.Equal(new long[] { 4, 64 }, t.shape);
        Assert.True(t.isfinite().all().item<bool>());
    }

    [Fact]
    public void HeaderLengthBeyondTheFileIsAClearError()
    {
        var path = Path.Combine(TestPaths.NewTempDir(), "bad.safetensors");
        File.WriteAllBytes(path, [.. BitConverter.GetBytes(1000L), .. "{}"u8.ToArray()]);
        var e = Assert.Throws<ClipSharpException>(() => SafeTensorsFile.Open(path));
        Assert.Contains("bad.safetensors", e.Message);
        Assert.Contains("header length", e.Message);
    }

    [Fact]
    public void OffsetsOutsideTheDataAreAClearError()
    {
        var path = Path.Combine(TestPaths.NewTempDir(), "bad.safetensors");
        var header = """{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"""u8.ToArray();
        File.WriteAllBytes(path, [.. BitConverter.GetBytes((long)header.Length), .. header, 1, 2, 3, 4]);
        var e = Assert.Throws<ClipSharpException>(() => SafeTensorsFile.Open(path));
        Assert.Contains("'w'", e.Message);
        Assert.Contains("outside the data section", e.Message);
    }
}

using System.IO.Compression;
using ClipSharp.Checkpoints;
using ClipSharp.Core;
using ClipSharp.Tests.Support;
using static TorchSharp.torch;

namespace ClipSharp.Tests.Checkpoints;

public class TorchZipCheckpointTests
{
    internal static string DataFile(string name) => Path.Combine(TestPaths.RepoRoot, "tests", "ClipSharp.Tests", "Checkpoints", "Data", name);

    private static string TempFile(string name = "ckpt.pt") => Path.Combine(TestPaths.NewTempDir(), name);

    private static void AssertEqual(Tensor expected, Tensor actual, string what)
    {
        Assert.Equal(expected.dtype, actual.dtype);
        Assert.Equal(expected.shape, actual.shape);
        Assert.True(expected.eq(actual).all().item<bool>(), $"{what}: values differ");
    }

    [Fact]
    public void ReadsAFileWrittenByTorchSaveAndAgreesWithItsSafetensorsTwin()
    {
        using var torchFile = TorchZipCheckpoint.Open(DataFile("pybridge_tensors.pth"));
        var fromTorch = torchFile.ReadAll();
        var fromSafetensors = SafeTensorsFile.Load(DataFile("pybridge_tensors.safetensors"));
        Assert.Equal(["arr", "arr_2d"], fromTorch.Keys.Order());
        foreach (var (k, v) in fromSafetensors) AssertEqual(v, fromTorch[k], k);
        AssertEqual(tensor(new long[] { 1, 2, 3, 4, 5, 6 }).reshape(2, 3), fromTorch["arr_2d"], "arr_2d");
    }

    [Fact]
    public void ReadsATorchSavedModuleStateDictWithMetadata()
    {
        var sd = TorchZipCheckpoint.Load(DataFile("pybridge_module_load.pth"));
        AssertEqual(ones(1, 5), sd["lin1.weight"], "lin1.weight");
        AssertEqual(ones(2, 1), sd["lin2.weight"], "lin2.weight");
    }

    [Fact]
    public void WriterEmitsExactlyTheBytesTorchSaveWrote()
    {
        using var zip = ZipFile.OpenRead(DataFile("pybridge_tensors.pth"));
        using var ms = new MemoryStream();
        using (var s = zip.GetEntry("tensors/data.pkl")!.Open()) s.CopyTo(ms);
        var root = new Dictionary<object, object?>
        {
            ["arr"] = new PyTensor(new PyStorage("0", "LongStorage", 6, new byte[48]), 0, [6], [1]),
            ["arr_2d"] = new PyTensor(new PyStorage("1", "LongStorage", 6, new byte[48]), 0, [2, 3], [3, 1]),
        };
        Assert.Equal(ms.ToArray(), TorchSaveWriter.Pickle(root));
    }

    [Fact]
    public void RoundTripsEveryStorageDType()
    {
        var tensors = new Dictionary<string, Tensor>
        {
            ["f32"] = randn(3, 4), ["f16"] = randn(5).to(ScalarType.Float16), ["bf16"] = randn(2, 2).to(ScalarType.BFloat16),
            ["f64"] = randn(3, dtype: ScalarType.Float64), ["i64"] = arange(-3, 70000, 7000, dtype: ScalarType.Int64),
            ["i32"] = tensor(new[] { -5, 1 << 20 }), ["u8"] = tensor(new byte[] { 0, 255 }), ["bool"] = tensor(new[] { true, false }),
            ["scalar"] = tensor(2.5f), ["empty"] = zeros(0, 3),
        };
        var od = new PyOrderedDict();
        int key = 0;
        foreach (var (k, t) in tensors) od.Add((k, PyTensor.Of(t, (key++).ToString())));
        var path = TempFile();
        TorchSaveWriter.SaveZip(path, od);
        using var sd = CheckpointReader.Read(path);
        Assert.Equal(CheckpointFormat.TorchZip, sd.Format);
        Assert.Equal(tensors.Keys, sd.Keys);
        foreach (var (k, t) in tensors) AssertEqual(t, sd[k], k);
    }

    [Fact]
    public void RebuildsStridedOffsetAndSharedStorageViews()
    {
        var storage = arange(24, dtype: ScalarType.Float32);
        var s = PyStorage.Of(storage, "0");
        var od = new PyOrderedDict
        {
            ("whole", new PyTensor(s, 0, [4, 6], [6, 1])),
            ("transposed", new PyTensor(s, 0, [6, 4], [1, 6])),
            ("row2", new PyTensor(s, 12, [6], [1])),
            ("every_third", new PyTensor(s, 1, [2, 4], [12, 3])),
        };
        var path = TempFile();
        TorchSaveWriter.SaveZip(path, od);
        using var c = TorchZipCheckpoint.Open(path);
        var all = c.ReadAll();
        var whole = storage.reshape(4, 6);
        AssertEqual(whole, all["whole"], "whole");
        AssertEqual(whole.t(), all["transposed"], "transposed");
        AssertEqual(whole[2], all["row2"], "row2");
        AssertEqual(storage.as_strided([2, 4], [12, 3], 1), all["every_third"], "every_third");
        // shared storage, as after torch.load: writing through one view shows in the others
        all["whole"][2, 0] = tensor(-1f);
        Assert.Equal(-1f, all["row2"][0].item<float>());
        Assert.Equal(-1f, all["transposed"][0, 2].item<float>());
        // Read(name) gives an independent contiguous copy
        using var row = c.Read("row2");
        Assert.True(row.is_contiguous());
        AssertEqual(whole[2], row, "Read(row2)");
    }

    [Fact]
    public void FindsTheStateDictOfAnOpenClipTrainingCheckpointAndStripsModulePrefix()
    {
        var w = randn(4, 3);
        var b = randn(4);
        var state = new PyOrderedDict { ("module.fc.weight", PyTensor.Of(w, "0")), ("module.fc.bias", PyTensor.Of(b, "1")) };
        var optimizer = new Dictionary<object, object?>
        {
            ["state"] = new Dictionary<object, object?> { [0L] = new Dictionary<object, object?> { ["step"] = PyTensor.Of(tensor(10f), "2"), ["exp_avg"] = PyTensor.Of(zeros(4, 3), "3") } },
            ["param_groups"] = new List<object?> { new Dictionary<object, object?> { ["lr"] = 1e-3, ["betas"] = new object?[] { 0.9, 0.98 }, ["eps"] = 1e-6, ["amsgrad"] = false, ["foreach"] = null, ["params"] = new List<object?> { 0L, 1L }, ["big"] = 5_000_000_000L, ["neg"] = -7L } },
        };
        var root = new Dictionary<object, object?> { ["epoch"] = 32L, ["name"] = "clips-run", ["state_dict"] = state, ["optimizer"] = optimizer };
        var path = TempFile("epoch_32.pt");
        TorchSaveWriter.SaveZip(path, root);
        using var c = TorchZipCheckpoint.Open(path);
        Assert.Equal("state_dict", c.NestedKey);
        Assert.Equal("module.", c.StrippedPrefix);
        Assert.Equal(["fc.weight", "fc.bias"], c.Entries.Keys);
        AssertEqual(w, c.Read("fc.weight"), "fc.weight");
        AssertEqual(b, c.Read("fc.bias"), "fc.bias");
    }

    [Fact]
    public void SwapsBytesOfBigEndianCheckpoints()
    {
        var t = tensor(new[] { 1.5f, -2f, 3e7f });
        var path = TempFile();
        var od = new PyOrderedDict { ("x", PyTensor.Of(t, "0")), ("h", PyTensor.Of(t.to(ScalarType.Float16), "1")) };
        TorchSaveWriter.SaveZip(path, od, byteorder: "big", storageBytes: s =>
        {
            int es = s.TypeName == "FloatStorage" ? 4 : 2;
            var swapped = (byte[])s.Data.Clone();
            for (int i = 0; i < swapped.Length; i += es) Array.Reverse(swapped, i, es);
            return swapped;
        });
        var sd = TorchZipCheckpoint.Load(path);
        AssertEqual(t, sd["x"], "x");
        AssertEqual(t.to(ScalarType.Float16), sd["h"], "h");
    }

    [Fact]
    public void ATensorReachingPastItsStorageIsRefused()
    {
        var s = PyStorage.Of(zeros(6), "0");
        var path = TempFile();
        TorchSaveWriter.SaveZip(path, new PyOrderedDict { ("w", new PyTensor(s, 2, [2, 3], [3, 1])) });
        var e = Assert.Throws<ClipSharpException>(() => TorchZipCheckpoint.Open(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("storage '0'", e.Message);
    }

    [Fact]
    public void ATruncatedStorageEntryIsRefused()
    {
        var path = TempFile();
        TorchSaveWriter.SaveZip(path, new PyOrderedDict { ("w", PyTensor.Of(ones(10), "0")) }, storageBytes: s => s.Data[..12]);
        var e = Assert.Throws<ClipSharpException>(() => TorchZipCheckpoint.Open(path));
        Assert.Contains("storage '0' needs 40 bytes", e.Message);
    }

    [Fact]
    public void AMissingStorageEntryIsRefused()
    {
        var path = TempFile();
        TorchSaveWriter.SaveZip(path, new PyOrderedDict { ("w", PyTensor.Of(ones(2), "7")) }, storageBytes: _ => []);
        using (var zip = ZipFile.Open(path, ZipArchiveMode.Update)) zip.GetEntry("archive/data/7")!.Delete();
        var e = Assert.Throws<ClipSharpException>(() => TorchZipCheckpoint.Open(path));
        Assert.Contains("'archive/data/7' is missing", e.Message);
    }

    [Fact]
    public void ACheckpointWithoutTensorsSaysWhatItHolds()
    {
        var path = TempFile();
        TorchSaveWriter.SaveZip(path, new Dictionary<object, object?> { ["epoch"] = 3L, ["lr"] = 0.1 });
        var e = Assert.Throws<ClipSharpException>(() => TorchZipCheckpoint.Open(path));
        Assert.Contains("no state dict found", e.Message);
        Assert.Contains("'epoch'", e.Message);
    }

    [Fact]
    public void DetectsFormatsFromContentNotExtension()
    {
        var dir = TestPaths.NewTempDir();
        var st = Path.Combine(dir, "weights.bin");
        SafeTensorsWriter.Save(st, new Dictionary<string, Tensor> { ["a"] = ones(2) });
        Assert.Equal(CheckpointFormat.SafeTensors, CheckpointReader.Detect(st));
        using (var sd = CheckpointReader.Read(st)) Assert.Equal(2, sd.NumElements);
        Assert.Equal(CheckpointFormat.TorchZip, CheckpointReader.Detect(DataFile("pybridge_tensors.pth")));
        var junk = Path.Combine(dir, "junk.pt");
        File.WriteAllText(junk, "hello world, not a checkpoint");
        var e = Assert.Throws<ClipSharpException>(() => CheckpointReader.Read(junk));
        Assert.Contains("junk.pt", e.Message);
    }

    [Fact]
    public void ParametersAreReadAsTheirData()
    {
        var w = randn(2, 2);
        var path = TempFile();
        TorchSaveWriter.SaveZip(path, new Dictionary<object, object?> { ["p"] = new PyParameter(PyTensor.Of(w, "0")) });
        AssertEqual(w, TorchZipCheckpoint.Load(path)["p"], "p");
    }

    [Fact]
    public void AViewFarLargerThanItsStorageIsRefused()
    {
        var path = TempFile();
        TorchSaveWriter.SaveZip(path, new PyOrderedDict { ("w", new PyTensor(PyStorage.Of(ones(1), "0"), 0, [1L << 29], [0])) });
        var e = Assert.Throws<ClipSharpException>(() => TorchZipCheckpoint.Open(path));
        Assert.Contains("holds only 1", e.Message);
    }

    [Fact]
    public void ReadsProtocolFourFramesStackGlobalsAndMemoize()
    {
        // OrderedDict([("w", _rebuild_tensor_v3(storage, 1, (2,), (1,), False, OrderedDict(), torch.float32))]) as protocol 4
        static byte[] S(string s) => [0x8c, (byte)s.Length, .. System.Text.Encoding.ASCII.GetBytes(s)];
        byte[] body =
        [
            .. S("collections"), 0x94, .. S("OrderedDict"), 0x94, 0x93, 0x94, (byte)')', (byte)'R', 0x94,
            .. S("w"), 0x94,
            .. S("torch._utils"), 0x94, .. S("_rebuild_tensor_v3"), 0x94, 0x93, 0x94,
            (byte)'(',
              (byte)'(', .. S("storage"), 0x94, .. S("torch"), 0x94, .. S("UntypedStorage"), 0x94, 0x93, 0x94, .. S("0"), 0x94, .. S("cpu"), 0x94, (byte)'K', 12, (byte)'t', 0x94, (byte)'Q',
              (byte)'K', 1, (byte)'K', 2, 0x85, 0x94, (byte)'K', 1, 0x85, 0x94, 0x89,
              (byte)'h', 2, (byte)')', (byte)'R', 0x94,
              (byte)'c', .. System.Text.Encoding.ASCII.GetBytes("torch\nfloat32\n"), 0x94,
            (byte)'t', 0x94, (byte)'R', 0x94,
            (byte)'s', (byte)'.',
        ];
        byte[] pickle = [0x80, 4, 0x95, .. BitConverter.GetBytes((long)body.Length), .. body];
        var raw = tensor(new[] { 7f, 8f, 9f }).bytes.ToArray();
        var path = TempFile();
        TorchSaveWriter.SaveZip(path, new PyOrderedDict { ("w", PyTensor.Of(ones(3), "0")) }, storageBytes: _ => raw,
            extra: new Dictionary<string, byte[]> { ["data.pkl"] = pickle });
        AssertEqual(tensor(new[] { 8f, 9f }), TorchZipCheckpoint.Load(path)["w"], "w");
    }
}

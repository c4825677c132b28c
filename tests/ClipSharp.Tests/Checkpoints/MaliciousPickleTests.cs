using System.Text;
using ClipSharp.Checkpoints;
using ClipSharp.Core;
using ClipSharp.Tests.Support;
using static TorchSharp.torch;

namespace ClipSharp.Tests.Checkpoints;

/// <summary>Hostile or foreign pickles are refused with the file, the opcode/global and its byte offset.</summary>
public class MaliciousPickleTests
{
    private static byte[] B(params object[] parts) => parts.SelectMany(p => p switch
    {
        byte b => new[] { b },
        char c => new[] { (byte)c },
        string s => Encoding.ASCII.GetBytes(s),
        byte[] a => a,
        _ => throw new ArgumentException(),
    }).ToArray();

    private static byte[] Unicode(string s) => B((byte)'X', BitConverter.GetBytes(s.Length), s);

    private static (string Path, ClipSharpException Error) Open(byte[] pickle)
    {
        var path = Path.Combine(TestPaths.NewTempDir(), "evil.bin");
        TorchSaveWriter.SaveZip(path, new PyOrderedDict { ("w", PyTensor.Of(ones(1), "0")) },
            extra: new Dictionary<string, byte[]> { ["data.pkl"] = pickle });
        return (path, Assert.Throws<ClipSharpException>(() => TorchZipCheckpoint.Open(path)));
    }

    [Fact]
    public void OsSystemIsRefusedAndNeverRuns()
    {
        var marker = Path.Combine(TestPaths.NewTempDir(), "pwned");
        // what `pickle.dumps` makes of an object whose __reduce__ returns (os.system, ("touch <marker>",))
        var pickle = B((byte)0x80, (byte)2, 'c', "os\nsystem\n", Unicode($"touch {marker}"), (byte)0x85, 'R', '.');
        var (path, e) = Open(pickle);
        Assert.Contains(path, e.Message);
        Assert.Contains("'os.system'", e.Message);
        Assert.Contains("byte 2", e.Message);
        Assert.False(File.Exists(marker));
    }

    [Fact]
    public void StackGlobalOfBuiltinsEvalIsRefused()
    {
        var pickle = B((byte)0x80, (byte)4, (byte)0x8c, (byte)8, "builtins", (byte)0x8c, (byte)4, "eval", (byte)0x93,
            (byte)0x8c, (byte)5, "1+1", (byte)0x85, 'R', '.');
        var (_, e) = Open(pickle);
        Assert.Contains("'builtins.eval' (STACK_GLOBAL)", e.Message);
        Assert.Contains("byte 18", e.Message);
    }

    [Fact]
    public void TorchNamesOutsideTheWhitelistAreRefused()
    {
        var (_, e) = Open(B((byte)0x80, (byte)2, 'c', "torch\nload\n", '.'));
        Assert.Contains("'torch.load'", e.Message);
    }

    [Theory]
    [InlineData((byte)'i', "INST")]
    [InlineData((byte)'o', "OBJ")]
    [InlineData((byte)0x81, "NEWOBJ")]
    [InlineData((byte)'0', "POP")]
    [InlineData((byte)0xff, "0xff")]
    public void OpcodesTorchDoesNotWriteAreRefused(byte op, string name)
    {
        var (_, e) = Open(B((byte)0x80, (byte)2, 'c', "collections\nOrderedDict\n", ')', op, '.'));
        Assert.Contains($"opcode {name}", e.Message);
        Assert.Contains("byte 28", e.Message); // PROTO 2 (2) + GLOBAL line (25) + EMPTY_TUPLE (1)
    }

    [Fact]
    public void ReduceOnANonCallableGlobalIsRefused()
    {
        var (_, e) = Open(B((byte)0x80, (byte)2, 'c', "torch\nFloatStorage\n", ')', 'R', '.'));
        Assert.Contains("REDUCE on 'torch.FloatStorage'", e.Message);
    }

    [Fact]
    public void BuildOnAnythingButADictOrTensorIsRefused()
    {
        var (_, e) = Open(B((byte)0x80, (byte)2, Unicode("abc"), '}', 'b', '.'));
        Assert.Contains("refusing BUILD", e.Message);
    }

    [Fact]
    public void APersistentIdThatIsNotAStorageIsRefused()
    {
        var (_, e) = Open(B((byte)0x80, (byte)2, Unicode("module"), (byte)0x85, 'Q', '.'));
        Assert.Contains("persistent id is not ('storage'", e.Message);
    }

    [Fact]
    public void ATruncatedPickleIsRefused()
    {
        var (_, e) = Open(B((byte)0x80, (byte)2, (byte)'X', BitConverter.GetBytes(1000), "short"));
        Assert.Contains("truncated", e.Message);
    }

    [Fact]
    public void LegacyPicklesAreRefusedWithAnExplanation()
    {
        // torch.save before 1.6 starts with the pickled magic number 0x1950a86a20f9469cfc6c
        var path = Path.Combine(TestPaths.NewTempDir(), "old.pt");
        File.WriteAllBytes(path, B((byte)0x80, (byte)2, (byte)0x8a, (byte)10, new byte[] { 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19 }, '.'));
        Assert.Equal(CheckpointFormat.LegacyTorchPickle, CheckpointReader.Detect(path));
        var e = Assert.Throws<ClipSharpException>(() => CheckpointReader.Read(path));
        Assert.Contains("old.pt", e.Message);
        Assert.Contains("legacy PyTorch checkpoint", e.Message);
        Assert.Throws<ClipSharpException>(() => TorchZipCheckpoint.Open(path));
    }

    [Fact]
    public void TorchScriptArchivesAreRefusedWithAnExplanation()
    {
        var path = Path.Combine(TestPaths.NewTempDir(), "ViT-B-32.pt");
        TorchSaveWriter.SaveZip(path, new PyOrderedDict { ("w", PyTensor.Of(ones(1), "0")) }, prefix: "ViT-B-32",
            extra: new Dictionary<string, byte[]> { ["constants.pkl"] = B((byte)0x80, (byte)2, ')', '.'), ["code/__torch__/model.py"] = "def forward(self): pass"u8.ToArray() });
        var e = Assert.Throws<ClipSharpException>(() => CheckpointReader.Read(path));
        Assert.Contains("TorchScript archive", e.Message);
    }
}

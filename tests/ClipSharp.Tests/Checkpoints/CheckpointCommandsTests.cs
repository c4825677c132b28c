using ClipSharp.Checkpoints;
using ClipSharp.Tests.Cli;
using ClipSharp.Tests.Support;
using static TorchSharp.torch;

namespace ClipSharp.Tests.Checkpoints;

/// <summary>`clipsharp convert` and `clipsharp info`, run in-process.</summary>
[Collection("Console")]
public class CheckpointCommandsTests
{
    private static string TinyWeights => Path.Combine(TestPaths.Fixtures, "openclip", "models", "oc-tiny-vit-a", "weights.safetensors");
    private static string TinyConfig => Path.Combine(TestPaths.Fixtures, "openclip", "models", "oc-tiny-vit-a", "oc-tiny-vit-a.json");

    // The tiny OpenCLIP fixture re-saved the way an OpenCLIP training run saves it: {"epoch", "state_dict": {"module." + key}}.
    private static string TinyAsTrainingCheckpoint(string dir)
    {
        var sd = SafeTensorsFile.Load(TinyWeights);
        var od = new PyOrderedDict();
        int k = 0;
        foreach (var (name, t) in sd) od.Add(("module." + name, PyTensor.Of(t.to(ScalarType.Float32), (k++).ToString())));
        var path = Path.Combine(dir, "epoch_1.pt");
        TorchSaveWriter.SaveZip(path, new Dictionary<object, object?> { ["epoch"] = 1L, ["name"] = "tiny", ["state_dict"] = od });
        return path;
    }

    [SharedFact]
    public void ConvertWritesSafetensorsWithTheSameTensors()
    {
        var dir = TestPaths.NewTempDir();
        var pt = TinyAsTrainingCheckpoint(dir);
        var (code, output, err) = CliTests.Run("convert", pt);
        Assert.True(code == 0, err);
        var outPath = Path.Combine(dir, "epoch_1.safetensors");
        Assert.Contains($"wrote {outPath}: 62 tensors, 1,765,665 parameters", output);
        using var converted = SafeTensorsFile.Open(outPath);
        using var original = SafeTensorsFile.Open(TinyWeights);
        Assert.Equal(original.Entries.Keys.Order(), converted.Entries.Keys.Order());
        foreach (var name in original.Entries.Keys)
        {
            using var a = original.Read(name).to(ScalarType.Float32);
            using var b = converted.Read(name);
            Assert.Equal(ScalarType.Float32, b.dtype);
            Assert.True(a.eq(b).all().item<bool>(), name);
        }
        // running again without --force refuses to overwrite
        var (again, _, againErr) = CliTests.Run("convert", pt);
        Assert.Equal(2, again);
        Assert.Contains("already exists", againErr);
    }

    [Fact]
    public void ConvertCastsFloatsOnlyWhenAskedTo()
    {
        var dir = TestPaths.NewTempDir();
        var pt = Path.Combine(dir, "m.bin");
        TorchSaveWriter.SaveZip(pt, new PyOrderedDict { ("w", PyTensor.Of(randn(3, 2), "0")), ("ids", PyTensor.Of(arange(4L), "1")) });
        var outPath = Path.Combine(dir, "half.safetensors");
        var (code, _, err) = CliTests.Run("convert", pt, "--out", outPath, "--dtype", "bf16");
        Assert.True(code == 0, err);
        using var f = SafeTensorsFile.Open(outPath);
        Assert.Equal("BF16", f.Entries["w"].DType);
        Assert.Equal("I64", f.Entries["ids"].DType);
        Assert.Equal("m.bin", f.Metadata["converted_from"]);
        var (bad, _, badErr) = CliTests.Run("convert", pt, "--out", outPath, "--dtype", "int4", "--force");
        Assert.Equal(2, bad);
        Assert.StartsWith("error: --dtype must be f32, f16 or bf16", badErr);
    }

    [Fact]
    public void ConvertRefusesAHostilePickleInOneSentence()
    {
        var path = Path.Combine(TestPaths.NewTempDir(), "evil.pt");
        TorchSaveWriter.SaveZip(path, new PyOrderedDict { ("w", PyTensor.Of(ones(1), "0")) },
            extra: new Dictionary<string, byte[]> { ["data.pkl"] = [0x80, 2, (byte)'c', .. "posix\nsystem\n"u8.ToArray(), (byte)'.'] });
        var (code, output, err) = CliTests.Run("convert", path);
        Assert.Equal(2, code);
        Assert.Empty(output);
        Assert.Single(err.Trim().Split('\n'));
        Assert.Contains("refusing global 'posix.system'", err);
        Assert.False(File.Exists(Path.ChangeExtension(path, ".safetensors")));
    }

    [SharedFact]
    public void InfoDescribesTheTinyFixtureAndTheConfigItMatches()
    {
        var (code, output, err) = CliTests.Run("info", TinyWeights);
        Assert.True(code == 0, err);
        Assert.Contains("62 tensors, 1,765,665 parameters", output);
        Assert.Contains("vision       ViT width 64, 2 layers, patch 16, image 64; class token, ln_pre", output);
        Assert.Contains("text         width 32, 2 layers, context 77, vocab 49408", output);
        Assert.Contains("embed_dim    64", output);
        Assert.Contains("matches      oc-tiny-vit-a", output);
    }

    [SharedFact]
    public void InfoReadsAHuggingFaceStyleDirectoryAndExtraConfigFolders()
    {
        var dir = TestPaths.NewTempDir();
        File.Move(TinyAsTrainingCheckpoint(dir), Path.Combine(dir, "open_clip_pytorch_model.bin"));
        File.WriteAllText(Path.Combine(dir, "open_clip_config.json"), "{\"model_cfg\": " + File.ReadAllText(TinyConfig) + ", \"preprocess_cfg\": {}}");
        File.WriteAllText(Path.Combine(dir, "vocab.txt"), "[PAD]\n");
        var configs = TestPaths.NewTempDir();
        File.WriteAllText(Path.Combine(configs, "tiny-copy.json"), File.ReadAllText(TinyConfig));
        File.WriteAllText(Path.Combine(configs, "tiny-deeper.json"), File.ReadAllText(TinyConfig).Replace("\"layers\": 2", "\"layers\": 4"));
        var (code, output, err) = CliTests.Run("info", dir, "--configs", configs);
        Assert.True(code == 0, err);
        Assert.Contains("(TorchZip)", output);
        Assert.Contains("config open_clip_config.json, tokenizer files: vocab.txt", output);
        Assert.Contains("Float32 x62", output);
        Assert.Contains("matches      open_clip_config", output);
        Assert.Contains("matches      tiny-copy", output);
        Assert.DoesNotContain("tiny-deeper", output);
    }

    [Fact]
    public void InfoOnADirectoryWithoutWeightsSaysWhatItLookedFor()
    {
        var (code, _, err) = CliTests.Run("info", TestPaths.NewTempDir());
        Assert.Equal(2, code);
        Assert.Contains("no model weights found: looked for open_clip_model.safetensors", err);
    }
}

using System.Text.Json;
using ClipSharp.Checkpoints;
using ClipSharp.Inference;
using ClipSharp.Tests.Support;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace ClipSharp.Tests.Parity;

/// <summary>
/// Every OpenCLIP (clip, coca) and CLIPS encoder-only fixture model, laid out as a Hugging Face style directory
/// (open_clip_config.json + weights + tokenizer vocabulary) and loaded through <see cref="ClipPipeline.Load(string, ClipPipelineOptions?)"/>:
/// the facade's text and image embeddings must equal the fixture's normalized features.
/// </summary>
public class InferencePipelineParityTests(ITestOutputHelper output)
{
    public static TheoryData<string, string> Cases => Fixtures.SharedModelCases("clip", "coca", "clips_encoder_only");

    private const double Atol = 1e-5, Rtol = 1e-4, FileAtol = 1e-4;

    [Theory]
    [SharedMemberData(nameof(Cases))]
    public void FacadeReproducesTheFixtureEmbeddings(string manifest, string name)
    {
        var (entry, root, fixtureDir) = Fixtures.Model(manifest, name);
        var configPath = Path.Combine(fixtureDir, entry.GetProperty("config").GetString()!);
        var caseDir = Path.GetDirectoryName(configPath)!;
        var dir = TestPaths.NewTempDir("pipe");
        // bare model configs are wrapped the way the hub writes them
        var cfgText = File.ReadAllText(configPath);
        if (!cfgText.Contains("\"model_cfg\"", StringComparison.Ordinal)) cfgText = $"{{\"model_cfg\": {cfgText}}}";
        File.WriteAllText(Path.Combine(dir, "open_clip_config.json"), cfgText);
        bool clips = entry.GetProperty("kind").GetString() == "clips_encoder_only";
        var weights = clips ? Path.Combine(fixtureDir, entry.GetProperty("weights").GetProperty("file").GetString()!) : Path.Combine(caseDir, "weights.safetensors");
        File.Copy(weights, Path.Combine(dir, "model.safetensors"));   // CLIPS: the full checkpoint, decoder keys included
        if (clips)
            File.Copy(Path.GetFullPath(Path.Combine(fixtureDir, root.GetProperty("conventions").GetProperty("vocab").GetString()!.Split(' ')[0])), Path.Combine(dir, "vocab.txt"));
        else
            File.Copy(Path.Combine(TestPaths.Fixtures, "openclip", "tokenizer", "bpe_simple_vocab_16e6.txt.gz"), Path.Combine(dir, "bpe_simple_vocab_16e6.txt.gz"));

        using var pipe = ClipPipeline.Load(dir);
        var checks = new TensorChecks(name + " via ClipPipeline");
        if (clips)
        {
            var files = entry.GetProperty("fixture_files");
            var x = SafeTensorsFile.Load(Path.Combine(fixtureDir, files.GetProperty("inputs").GetString()!));
            var o = SafeTensorsFile.Load(Path.Combine(fixtureDir, files.GetProperty("outputs").GetString()!));
            var prompts = entry.GetProperty("prompts").EnumerateArray().Select(e => e.GetString()!).ToList();
            checks.Close("text_features", Stack(pipe.EncodeTexts(prompts)), o["text_features"], Atol, Rtol);
            checks.Close("image_features (pixels)", pipe.EncodePixels(x["images"]), o["image_features"], Atol, Rtol);
            var scores = pipe.ZeroShot(ToPng(x["images"][0], pipe), prompts);
            Assert.Equal(prompts, scores.Select(s => s.Label));
            Assert.Equal(1.0, scores.Sum(s => s.Probability), 5);
        }
        else
        {
            var x = SafeTensorsFile.Load(Path.Combine(caseDir, "inputs.safetensors"));
            var o = SafeTensorsFile.Load(Path.Combine(caseDir, "outputs.safetensors"));
            var captions = JsonSerializer.Deserialize<List<string>>(File.ReadAllText(Path.Combine(caseDir, "captions.json")))!;
            var images = Directory.GetFiles(Path.Combine(caseDir, "input_images"), "*.png").OrderBy(f => int.Parse(Path.GetFileNameWithoutExtension(f))).ToList();
            checks.Close("text_features", Stack(pipe.EncodeTexts(captions)), o["text_features"], Atol, Rtol);
            checks.Close("image_features (pixels)", pipe.EncodePixels(x["image"]), o["image_features"], Atol, Rtol);
            checks.Close("image_features (png files)", Stack(pipe.EncodeImages(images)), o["image_features"], FileAtol, Rtol);
            checks.Close("image_features (png bytes)", Stack(pipe.EncodeImages(images.Select(File.ReadAllBytes).ToList())), o["image_features"], FileAtol, Rtol);
        }
        checks.AssertAll(output);
    }

    private static Tensor Stack(float[][] rows) => stack(rows.Select(r => tensor(r)).ToList());

    // a (3, H, W) normalized tensor back to PNG bytes (only used to exercise the byte path; values need not match)
    private static byte[] ToPng(Tensor chw, ClipPipeline pipe)
    {
        var cfg = pipe.Transform.Config;
        var mean = tensor(cfg.Mean).view(3, 1, 1);
        var std = tensor(cfg.Std).view(3, 1, 1);
        var hwc = ((chw * std + mean) * 255).clamp(0, 255).to(ScalarType.Byte).permute(1, 2, 0).contiguous();
        var bytes = hwc.data<byte>().ToArray();
        using var img = NetVips.Image.NewFromMemory(bytes, (int)hwc.shape[1], (int)hwc.shape[0], 3, NetVips.Enums.BandFormat.Uchar);
        return img.PngsaveBuffer();
    }
}

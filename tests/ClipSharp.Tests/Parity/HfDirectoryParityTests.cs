using System.Text.Json;
using ClipSharp.Checkpoints;
using ClipSharp.Core;
using ClipSharp.Modeling;
using ClipSharp.Tests.Support;
using ClipSharp.Text;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace ClipSharp.Tests.Parity;

/// <summary>
/// A released-CLIPS-style Hugging Face directory (open_clip_config.json + open_clip_model.safetensors + vocab.txt), built
/// from each clips_encoder_only fixture, goes through exactly the README's API sample: prompts tokenized by ClipSharp
/// must equal the fixture's ids, and the features must equal the reference.
/// </summary>
public class HfDirectoryParityTests(ITestOutputHelper output)
{
    public static TheoryData<string, string> Cases => Fixtures.SharedModelCases("clips_encoder_only");

    [Theory]
    [SharedMemberData(nameof(Cases))]
    public void ReadmeSampleReproducesTheReference(string manifest, string name)
    {
        var (entry, root, fixtureDir) = Fixtures.Model(manifest, name);
        var dir = TestPaths.NewTempDir("hfdir");
        File.Copy(Path.Combine(fixtureDir, entry.GetProperty("config").GetString()!), Path.Combine(dir, "open_clip_config.json"));
        var weights = SafeTensorsFile.Load(Path.Combine(fixtureDir, entry.GetProperty("weights").GetProperty("file").GetString()!));
        SafeTensorsWriter.Save(Path.Combine(dir, "open_clip_model.safetensors"),
            weights.Where(kv => !kv.Key.StartsWith("text_decoder.", StringComparison.Ordinal)).ToDictionary());
        var vocab = root.GetProperty("conventions").GetProperty("vocab").GetString()!.Split(' ')[0];
        File.Copy(Path.GetFullPath(Path.Combine(fixtureDir, vocab)), Path.Combine(dir, "vocab.txt"));
        var prompts = entry.GetProperty("prompts").EnumerateArray().Select(e => e.GetString()!).ToList();
        var files = entry.GetProperty("fixture_files");
        var x = SafeTensorsFile.Load(Path.Combine(fixtureDir, files.GetProperty("inputs").GetString()!));
        var o = SafeTensorsFile.Load(Path.Combine(fixtureDir, files.GetProperty("outputs").GetString()!));

        // --- the README sample ---
        var hf = HfModelDirectory.Open(dir);
        var cfg = ModelConfigReader.Parse(hf.RequireConfigJson(), hf.Directory, "clips").Model;
        var model = ModelFactory.Create(cfg);
        StateDictLoader.Load(model, CheckpointReader.Read(hf.WeightsPath));
        var tok = TokenizerFactory.Create(new TokenizerSpec(cfg.Text.HfTokenizerName, hf.Directory, cfg.Text.ContextLength));
        var ids = TokenRows.ToTensor(tok.EncodeBatch(prompts));
        model.eval();
        using var _ = no_grad();
        var text = model.EncodeText(ids, normalize: true);
        var image = model.EncodeImage(x["images"], normalize: true);
        var probs = (100 * image.matmul(text.t())).softmax(-1);
        // ---

        var checks = new TensorChecks(name + " via HF directory");
        checks.Close("text ids", ids, x["text"], 0);
        checks.Close("text_features", text, o["text_features"], 1e-6, 1e-5);
        checks.Close("image_features", image, o["image_features"], 1e-6, 1e-5);
        checks.Close("text_probs_100", probs, o["text_probs_100"], 1e-5, 1e-5);
        checks.AssertAll(output);
    }
}

using System.Text.Json;
using ClipSharp.Checkpoints;
using ClipSharp.Tests.Support;
using ClipSharp.Training.Objectives;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace ClipSharp.Tests.Parity;

/// <summary>Golden values of the CLIPS fork's CLIPSLoss (openclip fixture set, clips_loss/*.safetensors).</summary>
public class ClipsLossGoldenTests(ITestOutputHelper output)
{
    public static TheoryData<string> Files()
    {
        var data = new TheoryData<string>();
        if (!Fixtures.SharedPresent) data.Add(Fixtures.SharedMissingRow.Manifest);   // skipped with the reason by [SharedMemberData]
        foreach (var m in Fixtures.SharedManifests())
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(m));
            if (!doc.RootElement.TryGetProperty("files", out var files)) continue;
            foreach (var f in files.EnumerateObject().Where(f => f.Name.StartsWith("clips_loss/", StringComparison.Ordinal) && f.Name.EndsWith(".safetensors")))
                data.Add(Path.GetRelativePath(TestPaths.Fixtures, Path.Combine(Path.GetDirectoryName(m)!, f.Name)));
        }
        return data;
    }

    [Theory]
    [SharedMemberData(nameof(Files))]
    public void ClipsLossMatchesTheForkLoss(string file)
    {
        var t = SafeTensorsFile.Load(Path.Combine(TestPaths.Fixtures, file));
        var text = t["text_features"];
        long b = t["image_features"].shape[0];
        var loss = new ClipsLoss().Compute(t["image_features"], text[..(int)b], text[(int)b..], t["logit_scale"], t["logits"], t["labels"]);
        var checks = new TensorChecks(file);
        checks.Close("clip_loss_half1", loss.ClipWeb, t["clip_loss_half1"], 1e-5);
        checks.Close("clip_loss_half2", loss.ClipPartial, t["clip_loss_half2"], 1e-5);
        checks.Close("contrastive_loss", loss.Contrastive, t["contrastive_loss"], 1e-5);
        checks.Close("caption_loss", loss.CaptionWeighted, t["caption_loss"], 1e-5);
        checks.AssertAll(output);
    }

    [Fact]
    public void SigLipLossIsSmallForPerfectPairsAndLargeForSwapped()
    {
        var f = eye(4);
        var good = SigLipLoss.Compute(f, f, tensor(10f), tensor(-5f)).item<float>();
        var bad = SigLipLoss.Compute(f, f.flip(0), tensor(10f), tensor(-5f)).item<float>();
        // perfect: 4 positives with z = 5 and 12 negatives with z = -5 → (16·log(1+e^-5))/4
        Assert.Equal(16 * Math.Log(1 + Math.Exp(-5)) / 4, good, 4);
        Assert.True(bad > 10 * good);
    }
}

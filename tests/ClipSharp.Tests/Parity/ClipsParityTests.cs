using System.Text.Json;
using ClipSharp.Checkpoints;
using ClipSharp.Modeling;
using ClipSharp.Tests.Support;
using ClipSharp.Training.Objectives;
using ClipSharp.Training.Optim;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace ClipSharp.Tests.Parity;

/// <summary>
/// Every CLIPS case of every fixture manifest (kinds clips_training, clips_encoder_only): encoder features and states,
/// the captioner's hidden states and logits, each loss part, the listed gradients and one AdamW step (legacy OpenCLIP
/// weight-decay groups + logit-scale clamp). Per-tensor tolerance: the manifest's fp32_vs_fp64 suggested_atol.
/// </summary>
public class ClipsParityTests(ITestOutputHelper output)
{
    public static TheoryData<string, string> TrainingCases => Fixtures.SharedModelCases("clips_training");
    public static TheoryData<string, string> EncoderCases => Fixtures.SharedModelCases("clips_encoder_only");

    private static double Atol(JsonElement entry, string key, double fallback) =>
        entry.TryGetProperty("fp32_vs_fp64", out var t) && t.TryGetProperty(key, out var v) && v.TryGetProperty("suggested_atol", out var a)
            ? a.GetDouble() : fallback;

    private static (ClipsModel Model, Dictionary<string, Tensor> In, string Dir) Setup(JsonElement entry, string dir)
    {
        var cfg = ModelConfigReader.ReadFile(Path.Combine(dir, entry.GetProperty("config").GetString()!)).Model;
        var model = (ClipsModel)ModelFactory.Create(cfg);
        Fixtures.LoadStrict(model, SafeTensorsFile.Load(Path.Combine(dir, entry.GetProperty("weights").GetProperty("file").GetString()!)));
        var files = entry.GetProperty("fixture_files");
        return (model, SafeTensorsFile.Load(Path.Combine(dir, files.GetProperty("inputs").GetString()!)), dir);
    }

    private static (ClipsForward F, ClipsLossParts L) Run(ClipsModel model, Dictionary<string, Tensor> x, JsonElement entry, Action<string, Tensor>? observe = null)
    {
        var f = model.Forward(x["images"], x["web_ids"], x["sub_ids"], observe);
        var w = entry.GetProperty("loss_weights");
        var loss = new ClipsLoss(w.GetProperty("clip_loss_weight").GetDouble(), w.GetProperty("caption_loss_weight").GetDouble())
            .Compute(f.ImageFeatures, f.WebFeatures, f.PartialFeatures, model.logit_scale.exp(), f.CaptionLogits, x["target_ids"]);
        return (f, loss);
    }

    [Theory]
    [SharedMemberData(nameof(TrainingCases))]
    public void ForwardAndLossesMatchTheReference(string manifest, string name)
    {
        var (entry, _, dir) = Fixtures.Model(manifest, name);
        var (model, x, _) = Setup(entry, dir);
        var o = SafeTensorsFile.Load(Path.Combine(dir, entry.GetProperty("fixture_files").GetProperty("outputs").GetString()!));
        var inter = new Dictionary<string, Tensor>();
        using var _ = no_grad();
        var (f, l) = Run(model, x, entry, (n, t) => inter[n] = t);
        var logits = f.CaptionLogits;
        var b = (int)x["images"].shape[0];
        var actual = new Dictionary<string, Tensor>
        {
            ["image_features_raw"] = f.Vision.Pooled, ["image_features"] = f.ImageFeatures,
            ["web_text_features_raw"] = f.Text.Pooled[..b], ["web_text_features"] = f.WebFeatures,
            ["sub_text_features_raw"] = f.Text.Pooled[b..], ["sub_text_features"] = f.PartialFeatures,
            ["image_patch_tokens"] = f.Vision.PatchStates, ["web_token_states"] = f.Text.States[..b],
            ["logit_scale_exp"] = model.logit_scale.exp(),
            ["logits_per_image_web"] = model.Logits(f.ImageFeatures, f.WebFeatures).PerImage,
            ["logits_per_image_sub"] = model.Logits(f.ImageFeatures, f.PartialFeatures).PerImage,
            ["clip_loss_web"] = l.ClipWeb, ["clip_loss_sub"] = l.ClipPartial, ["contrastive_loss"] = l.Contrastive,
            ["caption_loss"] = l.Caption, ["caption_loss_weighted"] = l.CaptionWeighted, ["total_loss"] = l.Total,
            ["caption_ce"] = CaptionLoss.PerToken(logits, x["target_ids"]),
            ["decoder_hidden"] = inter["text_decoder.hidden"], ["decoder_block0_queries"] = inter["text_decoder.block0.queries"],
            ["logits_lse"] = logits.logsumexp(-1), ["logits_max"] = logits.amax([-1]), ["logits_mean"] = logits.mean([-1]),
            ["logits_argmax"] = logits.argmax(-1),
            ["logits_at_targets"] = logits.gather(-1, x["target_ids"].unsqueeze(-1)).squeeze(-1),
            ["logits_cols"] = logits.index_select(-1, o["logits_col_ids"]),
            ["logits_col_ids"] = o["logits_col_ids"],
        };
        var checks = new TensorChecks(name);
        foreach (var key in o.Keys)
        {
            Assert.True(actual.ContainsKey(key), $"{name}: the fixture has '{key}' which this test does not compute");
            checks.Close(key, actual[key], o[key], Atol(entry, "outputs." + key, 1e-5), 1e-5);
        }
        checks.AssertAll(output);
    }

    [Theory]
    [SharedMemberData(nameof(TrainingCases))]
    public void GradientsAndOneAdamWStepMatchTheReference(string manifest, string name)
    {
        var (entry, _, dir) = Fixtures.Model(manifest, name);
        var (model, x, _) = Setup(entry, dir);
        var files = entry.GetProperty("fixture_files");
        var grads = SafeTensorsFile.Load(Path.Combine(dir, files.GetProperty("grads").GetString()!));
        var step = SafeTensorsFile.Load(Path.Combine(dir, files.GetProperty("adamw_step").GetString()!));
        var adamw = entry.GetProperty("adamw");
        var (decay, noDecay) = ParameterGroups.Split(model, WeightDecayRule.Legacy);
        var groups = adamw.GetProperty("param_groups");
        Assert.Equal(groups.GetProperty("no_wd").GetProperty("params").EnumerateArray().Select(e => e.GetString()!).Order(), noDecay.Select(p => p.Name).Order());
        Assert.Equal(decay.Count, model.parameters().Count() - noDecay.Count);

        model.train();
        var checks = new TensorChecks(name + " grads+adamw");
        var (_, l) = Run(model, x, entry);
        checks.Close("loss_before", l.Total, step["loss_before"], Atol(entry, "outputs.total_loss", 3e-5));
        l.Total.backward();
        var ps = model.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        // Vocabulary-sized parameters are stored at the rows listed under "rows.<param>".
        Tensor Rows(string p, Tensor t) => grads.TryGetValue("rows." + p, out var r) ? t.index_select(0, r) : t;
        foreach (var key in grads.Keys.Where(k => k.StartsWith("grad.", StringComparison.Ordinal)))
            checks.Close(key, Rows(key[5..], ps[key[5..]].grad!), grads[key], Atol(entry, "grads." + key, 1e-5), 1e-5);
        var betas = adamw.GetProperty("betas");
        var opt = ParameterGroups.AdamW(model, adamw.GetProperty("lr").GetDouble(), betas[0].GetDouble(), betas[1].GetDouble(),
            adamw.GetProperty("eps").GetDouble(), adamw.GetProperty("weight_decay").GetDouble(), WeightDecayRule.Legacy);
        opt.step();
        if (step.TryGetValue("after.logit_scale_unclamped", out var unclamped))
            checks.Close("after.logit_scale_unclamped", model.logit_scale, unclamped, Atol(entry, "adamw_step.after.logit_scale", 1e-6));
        ParameterGroups.ClampLogitScale(model.logit_scale);
        foreach (var key in step.Keys.Where(k => k.StartsWith("after.", StringComparison.Ordinal) && k != "after.logit_scale_unclamped"))
            checks.Close(key, Rows(key[6..], ps[key[6..]].detach()), step[key], Atol(entry, "adamw_step." + key, 1e-6), 1e-5);
        using (no_grad()) checks.Close("loss_after", Run(model, x, entry).L.Total, step["loss_after"], Atol(entry, "adamw_step.loss_after", 3e-5));
        checks.AssertAll(output);
    }

    [Theory]
    [SharedMemberData(nameof(EncoderCases))]
    public void ReleasedEncoderLayoutMatchesTheReference(string manifest, string name)
    {
        var (entry, _, dir) = Fixtures.Model(manifest, name);
        var file = ModelConfigReader.ReadFile(Path.Combine(dir, entry.GetProperty("config").GetString()!));
        Assert.Equal(ModelKind.Clip, file.Model.Kind);
        Assert.NotNull(file.PreprocessCfg);
        var model = ModelFactory.Create(file.Model);
        var all = SafeTensorsFile.Load(Path.Combine(dir, entry.GetProperty("weights").GetProperty("file").GetString()!));
        Fixtures.LoadStrict(model, all.Where(kv => !kv.Key.StartsWith("text_decoder.", StringComparison.Ordinal)).ToDictionary());
        var files = entry.GetProperty("fixture_files");
        var x = SafeTensorsFile.Load(Path.Combine(dir, files.GetProperty("inputs").GetString()!));
        var o = SafeTensorsFile.Load(Path.Combine(dir, files.GetProperty("outputs").GetString()!));
        model.eval();
        using var _ = no_grad();
        var img = model.EncodeImage(x["images"], false);
        var txt = model.EncodeText(x["text"], false);
        var (imgN, txtN) = (nn.functional.normalize(img, dim: -1), nn.functional.normalize(txt, dim: -1));
        var (perImage, perText) = model.Logits(imgN, txtN);
        var actual = new Dictionary<string, Tensor>
        {
            ["image_features_raw"] = img, ["image_features"] = imgN, ["text_features_raw"] = txt, ["text_features"] = txtN,
            ["logit_scale_exp"] = model.logit_scale.exp(), ["logits_per_image"] = perImage, ["logits_per_text"] = perText,
            ["text_probs_100"] = (100 * imgN.matmul(txtN.t())).softmax(-1),
        };
        var checks = new TensorChecks(name);
        foreach (var key in o.Keys) checks.Close(key, actual[key], o[key], Atol(entry, "outputs." + key, 1e-5), 1e-5);
        checks.AssertAll(output);
    }
}

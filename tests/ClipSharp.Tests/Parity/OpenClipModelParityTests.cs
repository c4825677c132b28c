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
/// Every OpenCLIP model case (kind clip / coca) of every fixture manifest: encode_image / encode_text (raw and
/// normalized), logit_scale, logits, intermediates, losses, gradients and one AdamW step, within the tolerances the
/// openclip manifest suggests (features/logits atol 1e-5 rtol 1e-4, losses 1e-5, after-step parameters 1e-6).
/// </summary>
public class OpenClipModelParityTests(ITestOutputHelper output)
{
    /// <summary>The cases committed under tests/fixtures (e.g. openclip-flags: one tiny model per architecture flag).</summary>
    public static TheoryData<string, string> RepoCases => Fixtures.RepoModelCases("clip", "coca");

    /// <summary>The cases of ../shared/fixtures (skipped with the reason where it is missing).</summary>
    public static TheoryData<string, string> SharedCases => Fixtures.SharedModelCases("clip", "coca");

    private const double FeatAtol = 1e-5, FeatRtol = 1e-4, LossAtol = 1e-5, StepAtol = 1e-6;

    private static (ContrastiveModel Model, Dictionary<string, Tensor> Inputs, Dictionary<string, Tensor> Outputs, JsonElement Entry, string Dir) Setup(string manifest, string name)
    {
        var (entry, _, dir) = Fixtures.Model(manifest, name);
        var cfg = ModelConfigReader.ReadFile(Path.Combine(dir, entry.GetProperty("config").GetString()!)).Model;
        var model = ModelFactory.Create(cfg);
        var caseDir = Path.GetDirectoryName(Path.Combine(dir, entry.GetProperty("config").GetString()!))!;
        Fixtures.LoadStrict(model, SafeTensorsFile.Load(Path.Combine(caseDir, "weights.safetensors")));
        return (model, SafeTensorsFile.Load(Path.Combine(caseDir, "inputs.safetensors")),
            SafeTensorsFile.Load(Path.Combine(caseDir, "outputs.safetensors")), entry, caseDir);
    }

    [Theory]
    [MemberData(nameof(RepoCases))]
    [SharedMemberData(nameof(SharedCases))]
    public void ForwardMatchesOpenClip(string manifest, string name)
    {
        var (model, inputs, outputs, _, _) = Setup(manifest, name);
        model.eval();
        using var _ = no_grad();
        var checks = new TensorChecks(name);
        var inter = new Dictionary<string, Tensor>();
        Action<string, Tensor> observe = (n, t) => inter[n] = t;
        var (image, text) = (inputs["image"], inputs["text"]);
        var (imgN, txtN) = model is CoCaModel coca
            ? CheckCoCa(coca, image, text, outputs, Fixtures.Model(manifest, name).Model, observe, checks)
            : CheckClip(model, image, text, outputs, observe, checks);
        if (outputs.TryGetValue("logit_bias", out var bias))
            checks.Close("logit_bias", model.logit_bias ?? zeros(0), bias, FeatAtol);
        checks.Close("image_features_raw", model.EncodeImage(image, normalize: false), outputs["image_features_raw"], FeatAtol, FeatRtol);
        checks.Close("image_features", imgN, outputs["image_features"], FeatAtol, FeatRtol);
        checks.Close("text_features_raw", model.EncodeText(text, normalize: false), outputs["text_features_raw"], FeatAtol, FeatRtol);
        checks.Close("text_features", txtN, outputs["text_features"], FeatAtol, FeatRtol);
        checks.Close("logit_scale_param", model.logit_scale, outputs["logit_scale_param"], FeatAtol);
        checks.Close("logit_scale", model.logit_scale.exp(), outputs["logit_scale"], FeatAtol, FeatRtol);
        var (perImage, perText) = model.Logits(imgN, txtN);
        checks.Close("logits_per_image", perImage, outputs["logits_per_image"], FeatAtol, FeatRtol);
        checks.Close("logits_per_text", perText, outputs["logits_per_text"], FeatAtol, FeatRtol);
        foreach (var key in outputs.Keys.Where(k => k.StartsWith("inter.", StringComparison.Ordinal)))
        {
            var module = key["inter.".Length..];
            Assert.True(inter.ContainsKey(module), $"{name}: no intermediate observed for module '{module}' (have: {string.Join(", ", inter.Keys)})");
            checks.Close(key, inter[module], outputs[key], FeatAtol, FeatRtol);
        }
        checks.AssertAll(output);
    }

    // CoCa: decoder logits, the tokens fed to the decoder, caption and contrastive losses
    private static (Tensor Image, Tensor Text) CheckCoCa(CoCaModel coca, Tensor image, Tensor ids, Dictionary<string, Tensor> outputs,
        JsonElement entry, Action<string, Tensor> observe, TensorChecks checks)
    {
        var fwd = coca.Forward(image, ids, observe);
        var (imgN, txtN) = (fwd.ImageFeatures, fwd.TextFeatures);
        checks.Close("image_embs", coca.EncodeImageFull(image).Tokens, outputs["image_embs"], FeatAtol, FeatRtol);
        checks.Close("text_token_embs", coca.EncodeTextFull(ids).Tokens, outputs["text_token_embs"], FeatAtol, FeatRtol);
        var logits = fwd.Logits;
        checks.Close("logits_slice", logits[.., .., ..64], outputs["logits_slice"], FeatAtol, FeatRtol);
        checks.Close("logits_logsumexp", logits.logsumexp(-1), outputs["logits_logsumexp"], FeatAtol, FeatRtol);
        checks.Close("logits_argmax", logits.argmax(-1), outputs["logits_argmax"], 0);
        var labels = ids[.., 1..];
        checks.Close("caption_labels", labels, outputs["caption_labels"], 0);
        checks.Close("logits_at_labels", logits[.., ..^1].gather(-1, labels.unsqueeze(-1)).squeeze(-1), outputs["logits_at_labels"], FeatAtol, FeatRtol);
        var weights = ReadWeights(entry);
        var loss = new CoCaLoss(weights.Con, weights.Cap).Compute(imgN, txtN, coca.logit_scale.exp(), logits, ids);
        checks.Close("caption_loss_unweighted", CaptionLoss.Compute(logits[.., ..^1], labels), outputs["caption_loss_unweighted"], LossAtol);
        checks.Close("caption_loss_weighted", loss.CaptionWeighted, outputs["caption_loss_weighted"], LossAtol);
        checks.Close("clip_loss", loss.Contrastive, outputs["clip_loss"], LossAtol);
        checks.Close("total_loss", loss.Total, outputs["total_loss"], LossAtol);
        return (imgN, txtN);
    }

    // CLIP: intermediates of both towers, the CLIP loss, and the SigLIP loss where the fixture records one
    private static (Tensor Image, Tensor Text) CheckClip(ContrastiveModel model, Tensor image, Tensor text, Dictionary<string, Tensor> outputs,
        Action<string, Tensor> observe, TensorChecks checks)
    {
        var imgN = model.EncodeImage(image, normalize: true);
        var txtN = model.EncodeText(text, normalize: true);
        model.EncodeImageFull(image, observe);
        model.EncodeTextFull(text, observe);
        var clip = ClipLoss.Compute(imgN, txtN, model.logit_scale.exp());
        checks.Close("clip_loss", clip, outputs["clip_loss"], LossAtol);
        if (outputs.TryGetValue("siglip_loss", out var siglip))
        {
            Assert.True(model.logit_bias is not null, "the fixture records a SigLIP loss but the model has no logit_bias");
            var sig = SigLipLoss.Compute(imgN, txtN, model.logit_scale.exp(), model.logit_bias!);
            checks.Close("siglip_loss", sig, siglip, LossAtol);
            checks.Close("total_loss", sig, outputs["total_loss"], LossAtol);
        }
        else checks.Close("total_loss", clip, outputs["total_loss"], LossAtol);
        return (imgN, txtN);
    }

    [Theory]
    [MemberData(nameof(RepoCases))]
    [SharedMemberData(nameof(SharedCases))]
    public void OneAdamWStepMatchesOpenClip(string manifest, string name)
    {
        var (model, inputs, _, entry, caseDir) = Setup(manifest, name);
        var step = SafeTensorsFile.Load(Path.Combine(caseDir, "adamw_step.safetensors"));
        var adamw = entry.GetProperty("adamw");
        var checks = new TensorChecks(name + " adamw");

        // The parameter groups must be exactly OpenCLIP's.
        var (decay, noDecay) = ParameterGroups.Split(model, WeightDecayRule.OpenClip);
        var groups = adamw.GetProperty("param_groups");
        Assert.Equal(groups.GetProperty("no_wd").GetProperty("params").EnumerateArray().Select(e => e.GetString()!).Order(), noDecay.Select(x => x.Name).Order());
        Assert.Equal(groups.GetProperty("wd").GetProperty("params").EnumerateArray().Select(e => e.GetString()!).Order(), decay.Select(x => x.Name).Order());

        model.train();
        var loss = Loss(model, inputs, entry);
        checks.Close("loss_before", loss, step["loss_before"], LossAtol);
        loss.backward();
        var opt = ParameterGroups.AdamW(model, adamw.GetProperty("lr").GetDouble(), adamw.GetProperty("beta1").GetDouble(),
            adamw.GetProperty("beta2").GetDouble(), adamw.GetProperty("eps").GetDouble(), adamw.GetProperty("weight_decay").GetDouble());
        var parameters = model.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        // Vocabulary-sized parameters are stored only at the vocab ids of the "*.rows" index tensor ("<param>[rows]",
        // or a parameter whose vocab dimension is shorter than the model's): select those ids along that dimension.
        string Param(string key) => key.EndsWith("[rows]", StringComparison.Ordinal) ? key[..^"[rows]".Length] : key;
        var rows = step.Where(kv => kv.Key.EndsWith(".rows", StringComparison.Ordinal)).Select(kv => kv.Value).SingleOrDefault();
        Tensor Select(string key, Tensor t)
        {
            var stored = step.GetValueOrDefault("after." + key) ?? step["grad." + key];
            if (t.shape.SequenceEqual(stored.shape)) return t;
            int dim = Enumerable.Range(0, (int)t.dim()).First(d => t.shape[d] != stored.shape[d]);
            return t.index_select(dim, rows!);
        }
        foreach (var key in step.Keys.Where(k => k.StartsWith("grad.", StringComparison.Ordinal)))
            checks.Close(key, Select(key[5..], parameters[Param(key[5..])].grad!), step[key], FeatAtol, FeatRtol);
        opt.step();
        ParameterGroups.ClampLogitScale(model.logit_scale);
        var (lr, eps) = (adamw.GetProperty("lr").GetDouble(), adamw.GetProperty("eps").GetDouble());
        foreach (var key in step.Keys.Where(k => k.StartsWith("after.", StringComparison.Ordinal)))
        {
            var p = key[6..];
            // AdamW's first step is ±lr·g/(|g|+eps): elements whose gradient is rounding noise (|g| < 1e-4, e.g. the
            // analytically zero key-bias gradient) move by a noise-driven amount, so they get the looser tolerance.
            var g = step["grad." + p];
            var sure = g.abs().ge(1e-4);
            var actual = Select(p, parameters[Param(p)]).detach();
            checks.Close(key + " (|g|>=1e-4)", actual.masked_select(sure), step[key].masked_select(sure), StepAtol, 1e-5);
            checks.Close(key + " (error / its bound)", (actual - step[key]).abs().div(StepBound(g, lr, eps)), zeros_like(g), 1.0);
        }
        using (no_grad()) checks.Close("loss_after", Loss(model, inputs, entry), step["loss_after"], LossAtol);
        checks.AssertAll(output);
    }

    // Per element: how far one AdamW step may land from the reference's. The first step moves an element by
    // lr·g/(|g|+eps); a gradient error δ (at most the gradient tolerance, atol + rtol·|g|) moves it by
    // lr·δ·eps/(|g|+eps)², which never exceeds the 2·lr between the two signs of a rounding-noise gradient.
    private static Tensor StepBound(Tensor g, double lr, double eps)
    {
        var gAbs = g.abs().to(ScalarType.Float64);
        var delta = gAbs.mul(FeatRtol).add(FeatAtol);
        var sensitivity = delta.mul(lr * eps).div(gAbs.add(eps).square());
        return sensitivity.clamp_max(2 * lr).add(StepAtol);
    }

    private static Tensor Loss(ContrastiveModel model, Dictionary<string, Tensor> inputs, JsonElement entry)
    {
        var (image, text) = (inputs["image"], inputs["text"]);
        if (model is CoCaModel coca)
        {
            var w = ReadWeights(entry);
            var f = coca.Forward(image, text);
            return new CoCaLoss(w.Con, w.Cap).Compute(f.ImageFeatures, f.TextFeatures, model.logit_scale.exp(), f.Logits, text).Total;
        }
        var (img, txt) = (model.EncodeImage(image, true), model.EncodeText(text, true));
        return entry.TryGetProperty("loss", out var kind) && kind.GetString() == "siglip"
            ? SigLipLoss.Compute(img, txt, model.logit_scale.exp(), model.logit_bias!)
            : ClipLoss.Compute(img, txt, model.logit_scale.exp());
    }

    private static (double Con, double Cap) ReadWeights(JsonElement entry)
    {
        var w = entry.GetProperty("coca_loss_weights");
        return w.ValueKind == JsonValueKind.Null ? (1.0, 0.0)
            : (w.GetProperty("clip_loss_weight").GetDouble(), w.GetProperty("caption_loss_weight").GetDouble());
    }
}

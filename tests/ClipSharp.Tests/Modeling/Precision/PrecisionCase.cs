using System.Text.Json;
using ClipSharp.Checkpoints;
using ClipSharp.Modeling;
using ClipSharp.Tests.Support;
using ClipSharp.Training.Objectives;
using static TorchSharp.torch;

namespace ClipSharp.Tests.Modeling.Precision;

/// <summary>What one training forward of a fixture model gives: normalized features and the task's loss.</summary>
public sealed record PrecisionStep(Tensor Image, Tensor Text, Tensor Loss);

/// <summary>A fixture model (any kind of any manifest) with its inputs and the loss its task trains on.</summary>
public sealed record PrecisionCase(string Name, ContrastiveModel Model, Func<ScalarType, PrecisionStep> Step)
{
    public static PrecisionCase Load(string manifest, string name)
    {
        var (entry, _, dir) = Fixtures.Model(manifest, name);
        var configPath = Path.Combine(dir, entry.GetProperty("config").GetString()!);
        var file = ModelConfigReader.ReadFile(configPath);
        return entry.GetProperty("kind").GetString() switch
        {
            "clips_training" => Clips(name, file.Model, entry, dir),
            "clips_encoder_only" => Encoder(name, file.Model, entry, dir),
            _ => OpenClip(name, file.Model, Path.GetDirectoryName(configPath)!),
        };
    }

    /// <summary>A randomly initialised model of a project config (e.g. quickstart-clips) on random inputs.</summary>
    public static PrecisionCase Random(string config, int batch)
    {
        manual_seed(7);
        var cfg = ModelFactory.LoadConfig(config).Model;
        var model = ModelFactory.Create(cfg);
        var images = randn(batch, 3, cfg.Vision.ImageSize, cfg.Vision.ImageSize);
        var ids = randint(1, cfg.Text.VocabSize, [batch, cfg.Text.ContextLength], dtype: ScalarType.Int64);
        if (model is ClipsModel clips)
        {
            var targets = randint(1, cfg.Text.VocabSize, [batch, clips.text_decoder.NumQueries], dtype: ScalarType.Int64);
            return new(config, model, dt => ClipsStep(clips, images.to(dt), ids, ids.flip(0), targets, 1.0, 2.0));
        }
        return new(config, model, dt => ClipStep(model, images.to(dt), ids));
    }

    private static PrecisionCase OpenClip(string name, ModelConfig cfg, string caseDir)
    {
        var model = ModelFactory.Create(cfg);
        Fixtures.LoadStrict(model, SafeTensorsFile.Load(Path.Combine(caseDir, "weights.safetensors")));
        var x = SafeTensorsFile.Load(Path.Combine(caseDir, "inputs.safetensors"));
        if (model is CoCaModel coca)
            return new(name, model, dt =>
            {
                var f = coca.Forward(x["image"].to(dt), x["text"]);
                var total = new CoCaLoss().Compute(f.ImageFeatures, f.TextFeatures, coca.logit_scale.exp(), f.Logits, x["text"]).Total;
                return new(f.ImageFeatures, f.TextFeatures, total);
            });
        return new(name, model, dt => ClipStep(model, x["image"].to(dt), x["text"]));
    }

    private static PrecisionCase Clips(string name, ModelConfig cfg, JsonElement entry, string dir)
    {
        var model = (ClipsModel)ModelFactory.Create(cfg);
        Fixtures.LoadStrict(model, SafeTensorsFile.Load(Path.Combine(dir, entry.GetProperty("weights").GetProperty("file").GetString()!)));
        var x = SafeTensorsFile.Load(Path.Combine(dir, entry.GetProperty("fixture_files").GetProperty("inputs").GetString()!));
        var w = entry.GetProperty("loss_weights");
        double cw = w.GetProperty("clip_loss_weight").GetDouble(), capw = w.GetProperty("caption_loss_weight").GetDouble();
        return new(name, model, dt => ClipsStep(model, x["images"].to(dt), x["web_ids"], x["sub_ids"], x["target_ids"], cw, capw));
    }

    private static PrecisionCase Encoder(string name, ModelConfig cfg, JsonElement entry, string dir)
    {
        var model = ModelFactory.Create(cfg);
        var all = SafeTensorsFile.Load(Path.Combine(dir, entry.GetProperty("weights").GetProperty("file").GetString()!));
        Fixtures.LoadStrict(model, all.Where(kv => !kv.Key.StartsWith("text_decoder.", StringComparison.Ordinal)).ToDictionary());
        var x = SafeTensorsFile.Load(Path.Combine(dir, entry.GetProperty("fixture_files").GetProperty("inputs").GetString()!));
        int b = (int)Math.Min(x["images"].shape[0], x["text"].shape[0]);   // the released-encoder inputs differ in batch
        return new(name, model, dt => ClipStep(model, x["images"][..b].to(dt), x["text"][..b]));
    }

    private static PrecisionStep ClipStep(ContrastiveModel model, Tensor images, Tensor ids)
    {
        var img = model.EncodeImage(images, normalize: true);
        var txt = model.EncodeText(ids, normalize: true);
        return new(img, txt, ClipLoss.Compute(img.to(ScalarType.Float32), txt.to(ScalarType.Float32), model.logit_scale.exp().to(ScalarType.Float32)));
    }

    private static PrecisionStep ClipsStep(ClipsModel model, Tensor images, Tensor web, Tensor partial, Tensor targets, double cw, double capw)
    {
        var f = model.Forward(images, web, partial);
        var l = new ClipsLoss(cw, capw).Compute(f.ImageFeatures, f.WebFeatures, f.PartialFeatures, model.logit_scale.exp(), f.CaptionLogits, targets);
        return new(f.ImageFeatures, f.WebFeatures, l.Total);
    }
}

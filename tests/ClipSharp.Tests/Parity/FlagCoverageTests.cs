using System.Collections;
using System.Reflection;
using System.Text.Json;
using ClipSharp.Modeling;
using ClipSharp.Tests.Support;

namespace ClipSharp.Tests.Parity;

/// <summary>
/// Every architecture setting the config records carry is exercised by some parity fixture (the model configs of every
/// manifest, shared and tests/fixtures): each bool is true somewhere, each nullable is set somewhere, each enum value
/// appears, each number takes a non-default value somewhere. A setting added to a config record fails here until a
/// fixture covers it (tests/fixture-gen/make_flag_fixtures.py) or it is exempted below with the reason.
/// </summary>
public class FlagCoverageTests
{
    private static readonly Dictionary<string, string> Exempt = new()
    {
        ["Vision.PatchDropout"] = "training-time random token drop, the identity in eval (parity fixtures run in eval); OpenCLIP's rule (count, class "
            + "token first, randn(B, N).topk draw) is checked in Modeling/PatchDropoutTests",
        ["Vision.Pool=None"] = "pooled = every token: (B, T, E) features, no contrastive logits (OpenCLIP's CLIP cannot take its loss either)",
        ["Text.Pool=None"] = "as Vision.Pool=None",
        ["Text.TokenizerMode"] = "selects the tokenizer, not the network (tokenizer parity tests)",
        ["Multimodal.DimHead"] = "read for schema compatibility; neither OpenCLIP's CoCa decoder nor ClipSharp's uses it",
        ["Multimodal.NQueries"] = "as Multimodal.DimHead",
        ["Decoder.MlpRatio"] = "the CLIPS captioner has no reference here besides the shared clips fixtures (mlp_ratio 4); its blocks are the same "
            + "BlockSpec/Mlp as every tower, whose mlp_ratio 2.5 and 3 are checked in openclip-flags",
    };

    private static IEnumerable<ModelConfig> FixtureConfigs()
    {
        foreach (var m in Fixtures.Manifests())
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(m));
            if (!doc.RootElement.TryGetProperty("models", out var models)) continue;
            foreach (var e in models.EnumerateArray())
                if (e.TryGetProperty("config", out var c) && c.ValueKind == JsonValueKind.String)
                    yield return ModelConfigReader.ReadFile(Path.Combine(Path.GetDirectoryName(m)!, c.GetString()!)).Model;
        }
    }

    // (record, prefix) of every config record a model holds; null sub-records are skipped
    private static IEnumerable<(object Record, object Default, string Prefix)> Records(ModelConfig m)
    {
        yield return (m, new ModelConfig(), "Model");
        yield return (m.Vision, new VisionConfig(), "Vision");
        yield return (m.Text, new TextConfig(), "Text");
        if (m.Multimodal is { } mm) yield return (mm, new MultimodalConfig(), "Multimodal");
        if (m.Decoder is { } d) yield return (d, new DecoderConfig(), "Decoder");
    }

    // what a value covers: "X" for a non-default value, "X=V" for each enum value
    private static IEnumerable<string> Covered(PropertyInfo p, object? value, object? dflt, string prefix)
    {
        var name = $"{prefix}.{p.Name}";
        if (value is Enum) yield return $"{name}={value}";
        else if (!Equals(value, dflt)) yield return name;
    }

    private static IEnumerable<string> Required()
    {
        var records = new (Type Type, string Prefix)[]
        {
            (typeof(ModelConfig), "Model"), (typeof(VisionConfig), "Vision"), (typeof(TextConfig), "Text"),
            (typeof(MultimodalConfig), "Multimodal"), (typeof(DecoderConfig), "Decoder"),
        };
        foreach (var (type, prefix) in records)
            foreach (var p in Settable(type))
            {
                if (p.PropertyType.IsEnum)
                    foreach (var v in Enum.GetValues(p.PropertyType)) yield return $"{prefix}.{p.Name}={v}";
                else if (!typeof(IEnumerable).IsAssignableFrom(p.PropertyType) || p.PropertyType == typeof(string))
                    yield return $"{prefix}.{p.Name}";
            }
    }

    // init-settable properties that hold a value (not the nested records, which are walked themselves)
    private static IEnumerable<PropertyInfo> Settable(Type t) =>
        t.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.SetMethod is not null && !p.PropertyType.Name.EndsWith("Config", StringComparison.Ordinal));

    [SharedFact]
    public void EveryConfigSettingIsExercisedByAParityFixture()
    {
        var covered = new HashSet<string>();
        var configs = FixtureConfigs().ToList();
        foreach (var m in configs)
            foreach (var (record, dflt, prefix) in Records(m))
                foreach (var p in Settable(record.GetType()))
                    covered.UnionWith(Covered(p, p.GetValue(record), p.GetValue(dflt), prefix));
        var missing = Required().Where(k => !covered.Contains(k) && !Exempt.ContainsKey(k)).ToList();
        Assert.True(missing.Count == 0,
            $"{configs.Count} fixture configs exercise none of: {string.Join(", ", missing)} (add a case to tests/fixture-gen/make_flag_fixtures.py)");
        var stale = Exempt.Keys.Where(covered.Contains).ToList();
        Assert.True(stale.Count == 0, $"exempted but covered (drop the exemption): {string.Join(", ", stale)}");
    }
}

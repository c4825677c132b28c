using System.Text.Json;
using System.Text.Json.Nodes;
using ClipSharp.Scenes.Mentions;

namespace ClipSharp.Scenes;

/// <summary>
/// The world's evaluation files: eval/images + eval/dataset_eval.json (COCO Karpathy layout, the human-style
/// captions), eval/dataset_eval_heldout.json (the same images with the held-out caption style), bags/images +
/// bags/bags.json. Every caption carries a "mention" (what it states about its scene) beside "raw", and every image
/// its "scene", so ceilings and outside checks need no text parsing.
/// </summary>
public static class WorldEvalFiles
{
    /// <summary>Paths relative to the world folder.</summary>
    public const string EvalFile = "eval/dataset_eval.json", HeldOutEvalFile = "eval/dataset_eval_heldout.json", BagsFile = "bags/bags.json";

    private static readonly JsonSerializerOptions Compact = SceneJson.Options;

    /// <summary>Draws eval image <paramref name="i"/>, writes its image file and returns the sample.</summary>
    public static EvalSample RenderEval(string root, WorldGenerationOptions o, WorldSamples samples, int i, SceneRenderer renderer)
    {
        var dir = Path.Combine(root, "eval", "images");
        Directory.CreateDirectory(dir);
        var sample = samples.Eval(i);
        File.WriteAllBytes(Path.Combine(dir, $"{i:D6}.{o.Extension}"), renderer.Encode(sample.Scene, o.Format));
        return sample;
    }

    /// <summary>Draws bag <paramref name="k"/>, writes its image files and returns it.</summary>
    public static FineGrainedBag RenderBag(string root, WorldGenerationOptions o, WorldSamples samples, int k, SceneRenderer renderer)
    {
        Directory.CreateDirectory(Path.Combine(root, "bags", "images"));
        var bag = samples.Bag(k);
        for (var j = 0; j < bag.Images.Count; j++)
            File.WriteAllBytes(Path.Combine(root, "bags", BagImageFile(o, k, j)), renderer.Encode(bag.Images[j].Scene, o.Format));
        return bag;
    }

    /// <summary>Writes both caption files of the eval set; returns the human-style caption count.</summary>
    public static int WriteEval(string root, WorldGenerationOptions o, IReadOnlyList<EvalSample> evals)
    {
        Directory.CreateDirectory(Path.Combine(root, "eval", "images"));
        File.WriteAllText(Path.Combine(root, EvalFile), Karpathy(o, evals, e => e.Captions).ToJsonString(Compact));
        File.WriteAllText(Path.Combine(root, HeldOutEvalFile), Karpathy(o, evals, e => e.HeldOut).ToJsonString(Compact));
        return evals.Sum(e => e.Captions.Count);
    }

    /// <summary>Writes bags.json; returns the image count.</summary>
    public static int WriteBags(string root, WorldGenerationOptions o, IReadOnlyList<FineGrainedBag> bags)
    {
        Directory.CreateDirectory(Path.Combine(root, "bags", "images"));
        var list = new JsonArray();
        for (var k = 0; k < bags.Count; k++)
        {
            var bag = bags[k];
            var images = new JsonArray();
            for (var j = 0; j < bag.Images.Count; j++)
                images.Add(new JsonObject
                {
                    ["file"] = BagImageFile(o, k, j),
                    ["caption"] = bag.Images[j].Caption,
                    ["mention"] = MentionNode(bag.Images[j].Mention),
                    ["scene"] = SceneJson.ToNode(bag.Images[j].Scene),
                });
            list.Add(new JsonObject
            {
                ["bag_id"] = bag.BagId,
                ["attribute"] = JsonNamingPolicy.SnakeCaseLower.ConvertName(bag.Attribute.ToString()),
                ["target_object"] = bag.TargetObject,
                ["images"] = images,
            });
        }
        File.WriteAllText(Path.Combine(root, BagsFile), list.ToJsonString(Compact));
        return bags.Sum(b => b.Images.Count);
    }

    private static string BagImageFile(WorldGenerationOptions o, int bag, int image) => $"images/{bag:D5}_{image:D2}.{o.Extension}";

    /// <summary>A mention as JSON (snake_case names, unsaid parts left out).</summary>
    public static JsonNode MentionNode(CaptionMention m) => JsonSerializer.SerializeToNode(m, Compact)!;

    private static JsonObject Karpathy(WorldGenerationOptions o, IReadOnlyList<EvalSample> evals, Func<EvalSample, IReadOnlyList<WrittenCaption>> captions)
    {
        var images = new JsonArray();
        var sentId = 0;
        for (var i = 0; i < evals.Count; i++)
        {
            var sentences = new JsonArray();
            var ids = new JsonArray();
            foreach (var c in captions(evals[i]))
            {
                ids.Add(sentId);
                sentences.Add(new JsonObject
                {
                    ["raw"] = c.Text,
                    ["tokens"] = new JsonArray(CaptionText.KarpathyTokens(c.Text).Select(t => (JsonNode)t).ToArray()),
                    ["imgid"] = i,
                    ["sentid"] = sentId++,
                    ["mention"] = MentionNode(c.Mention),
                });
            }
            images.Add(new JsonObject
            {
                ["filepath"] = "images", ["filename"] = $"{i:D6}.{o.Extension}", ["imgid"] = i, ["split"] = "test",
                ["sentids"] = ids, ["sentences"] = sentences, ["scene"] = SceneJson.ToNode(evals[i].Scene),
            });
        }
        return new JsonObject { ["dataset"] = "clipsharp-scenes", ["images"] = images };
    }
}

using System.Text.Json;
using System.Text.Json.Nodes;
using ClipSharp.Data;
using ClipSharp.Scenes.Mentions;

namespace ClipSharp.Scenes;

/// <summary>
/// oracle.json of a world: for each eval file, the ceiling a retriever that knows every scene would reach
/// (<see cref="MentionOracle"/>), keyed like the evaluators' metrics, and how often its captions state each
/// attribute. Written at generation; read by the quickstart and the experiments to print beside chance.
/// </summary>
public static class WorldOracle
{
    /// <summary>File name in the world folder.</summary>
    public const string FileName = "oracle.json";

    private static readonly int[] Ks = [1, 5, 10];

    /// <summary>Computes the ceilings and writes them to <paramref name="path"/>.</summary>
    public static void Write(string path, IReadOnlyList<EvalSample> evals, IReadOnlyList<FineGrainedBag> bags)
    {
        var scenes = evals.Select(e => e.Scene).ToList();
        var root = new JsonObject
        {
            [WorldEvalFiles.EvalFile] = Retrieval(scenes, evals.Select(e => e.Captions).ToList()),
            [WorldEvalFiles.HeldOutEvalFile] = Retrieval(scenes, evals.Select(e => e.HeldOut).ToList()),
            [WorldEvalFiles.BagsFile] = Bags(bags),
        };
        File.WriteAllText(path, root.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }

    /// <summary>The ceilings of the world in <paramref name="worldDirectory"/> by eval file (relative names, e.g.
    /// <see cref="WorldEvalFiles.EvalFile"/>), each keyed like the evaluators' metrics; empty when the world has no
    /// oracle.json.</summary>
    public static IReadOnlyDictionary<string, IReadOnlyDictionary<string, double>> Read(string worldDirectory)
    {
        var path = Path.Combine(worldDirectory, FileName);
        if (!File.Exists(path) || JsonNode.Parse(File.ReadAllText(path)) is not JsonObject root) return new Dictionary<string, IReadOnlyDictionary<string, double>>();
        return root.Where(f => f.Value is JsonObject).ToDictionary(f => f.Key, f => (IReadOnlyDictionary<string, double>)f.Value!.AsObject()
            .Where(kv => kv.Value is JsonValue).ToDictionary(kv => kv.Key, kv => kv.Value!.GetValue<double>()));
    }

    private static JsonObject Retrieval(IReadOnlyList<Scene> scenes, IReadOnlyList<IReadOnlyList<WrittenCaption>> captions)
    {
        var flat = captions.SelectMany((cs, i) => cs.Select(c => new OracleCaption(i, c.Mention))).ToList();
        var o = new JsonObject();
        foreach (var (k, v) in MentionOracle.Retrieval(scenes, flat, Ks)) if (double.IsFinite(v)) o[k] = Math.Round(v, 6);   // none without captions
        var objects = flat.Select(c => c.Mention.Objects[0]).ToList();
        o["states_size"] = Share(objects, m => m.Size is not null);
        o["states_pattern"] = Share(objects, m => m.Pattern is not null);
        o["states_position"] = Share(objects, m => m.Cell is not null);
        o["states_background"] = Math.Round(flat.Count(c => c.Mention.Background is not null) / (double)Math.Max(1, flat.Count), 4);
        AddByStatement(o, scenes, flat);
        return o;
    }

    // The text→image ceilings over the captions that make each statement and over those that omit it
    // (CaptionStatements.Key, as the evaluator's breakdown keys the model's figures).
    private static void AddByStatement(JsonObject o, IReadOnlyList<Scene> scenes, IReadOnlyList<OracleCaption> flat)
    {
        var fitting = MentionOracle.FittingImages(scenes, flat);
        var states = flat.Select((c, i) => CaptionStatements.Of(WorldEvalFiles.MentionNode(c.Mention), $"eval caption {i}")).ToList();
        foreach (var s in CaptionStatements.All)
            foreach (var stating in new[] { true, false })
            {
                var group = Enumerable.Range(0, flat.Count).Where(i => states[i].Contains(s) == stating).ToList();
                if (group.Count == 0) continue;
                foreach (var k in Ks)
                    o[CaptionStatements.Key(s, stating, $"image_retrieval_recall@{k}")] = Math.Round(group.Average(i => MentionOracle.TextToImageRecall(fitting[i], k)), 6);
            }
    }

    private static double Share(IReadOnlyList<ObjectMention> objects, Func<ObjectMention, bool> f) =>
        Math.Round(objects.Count(f) / (double)Math.Max(1, objects.Count), 4);

    private static JsonObject Bags(IReadOnlyList<FineGrainedBag> bags)
    {
        var o = new JsonObject();
        void Add(string prefix, IReadOnlyList<FineGrainedBag> group)
        {
            if (group.Count == 0) return;
            var accs = group.Select(b => MentionOracle.Bag(b.Images.Select(i => i.Scene).ToList(), b.Images.Select(i => i.Mention).ToList())).ToList();
            // Per query, as the bag evaluator averages: every image of every bag is one query.
            var weights = group.Select(b => b.Images.Count).ToList();
            double total = Math.Max(1, weights.Sum());
            o[prefix + "text_to_image_acc"] = Math.Round(accs.Select((a, i) => a.TextToImage * weights[i]).Sum() / total, 6);
            o[prefix + "image_to_text_acc"] = Math.Round(accs.Select((a, i) => a.ImageToText * weights[i]).Sum() / total, 6);
        }
        Add("", bags);
        foreach (var g in bags.GroupBy(b => b.Attribute))
            Add(JsonNamingPolicy.SnakeCaseLower.ConvertName(g.Key.ToString()) + "/", g.ToList());
        return o;
    }
}

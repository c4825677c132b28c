namespace ClipSharp.Scenes;

/// <summary>
/// The world's samples as pure functions of (config, seed, split, index): sample i of a split always uses the
/// generator <c>SceneRandom.For(seed, split, i)</c>, so any subset can be produced in any order on any thread.
/// </summary>
public sealed class WorldSamples(WorldConfig config, long seed)
{
    private readonly SceneSampler _sampler = new(config);
    private readonly WebCaptionWriter _web = new(config);
    private readonly FineGrainedBagBuilder _bags = new(config);

    /// <summary>Split name of the training samples.</summary>
    public const string TrainSplit = "train";
    /// <summary>Split name of the retrieval eval images.</summary>
    public const string EvalSplit = "eval";
    /// <summary>Split name of the bags.</summary>
    public const string BagSplit = "bags";
    /// <summary>Random-stream name of the held-out caption style.</summary>
    public const string HeldOutSplit = "eval-heldout";

    /// <summary>The configuration.</summary>
    public WorldConfig Config { get; } = config;

    /// <summary>The seed.</summary>
    public long Seed { get; } = seed;

    /// <summary>Training sample <paramref name="index"/>.</summary>
    public TrainSample Train(long index)
    {
        var rng = SceneRandom.For(Seed, TrainSplit, index);
        var scene = _sampler.Sample(rng);
        var web = _web.Write(scene, rng);
        var recaption = Config.RecaptionStyle == RecaptionStyle.Exhaustive ? RecaptionWriter.Write(scene, rng) : SubjectRecaptionWriter.Write(scene, rng);
        return new TrainSample(scene, web, recaption);
    }

    /// <summary>Eval image <paramref name="index"/>.</summary>
    public EvalSample Eval(long index)
    {
        var rng = SceneRandom.For(Seed, EvalSplit, index);
        var scene = _sampler.Sample(rng);
        var human = HumanCaptionWriter.Write(scene, rng, Config.HumanCaptionsPerImage, Config.HumanMinWords, Config.HumanMaxWords);
        // Its own random stream, so adding the held-out style changed no human caption.
        var heldOut = HeldOutCaptionWriter.Write(scene, SceneRandom.For(Seed, HeldOutSplit, index), Config.HumanCaptionsPerImage);
        return new EvalSample(scene, human, heldOut);
    }

    /// <summary>Bag <paramref name="index"/>.</summary>
    public FineGrainedBag Bag(int index) => _bags.Build(index, SceneRandom.For(Seed, BagSplit, index));
}

using ClipSharp.Core;
using ClipSharp.Data;
using ClipSharp.Inference;
using ClipSharp.Modeling;
using ClipSharp.Workflows.Experiments;

namespace ClipSharp.Workflows.Probes;

/// <summary>One attribute's row of the probe table: the linear probe's fit and, when asked for, the supervised control.</summary>
public sealed record ProbeRow(ProbeAttribute Attribute, ProbeFit Fit, SupervisedResult? Supervised)
{
    /// <summary>1 / classes: the accuracy of guessing uniformly.</summary>
    public double Chance => 1.0 / Attribute.Classes;
}

/// <summary>The outcome of a probe run: the sample counts, the skipped samples, one row per attribute, probe.json's path.</summary>
public sealed record ProbeResult(string ResultsPath, int Samples, int Train, int HeldOut, int EmbeddingDim,
    BadSampleReport Bad, IReadOnlyList<ProbeRow> Rows);

/// <summary>
/// <c>clipsharp experiment probe</c>: what the image tower encodes. Embeds the first N training images of a world with
/// the model (its eval preprocessing, <see cref="ClipPipeline"/>), fits a linear probe (<see cref="LinearProbe"/>) per
/// attribute of <see cref="ProbeAttribute.All"/> on a seeded train share, and scores it on the held-out share beside the
/// majority class and chance; optionally trains the <see cref="SupervisedControl"/> on the same split. Writes
/// OUT/probe.json (<see cref="ProbeResults"/>).
/// </summary>
public static class ProbeExperiment
{
    /// <summary>The file written into the output folder.</summary>
    public const string ResultsFile = "probe.json";

    /// <summary>Runs the probes (and controls) the options describe.</summary>
    public static ProbeResult Run(ProbeOptions o)
    {
        Validate(o);
        var controls = ProbeAttribute.Find(o.Supervised);
        var device = o.Device ?? TorchSharp.torch.CPU;
        using var pipeline = ClipPipeline.Load(o.Model, new ClipPipelineOptions { Device = device, BatchSize = o.EmbedBatch });
        o.Log?.Invoke($"reading up to {o.Samples} training samples of {o.World}");
        using var samples = ProbeSamples.Read(o.World, o.Samples, pipeline.Transform, o.Log);
        var (train, heldOut) = LinearProbe.Split(samples.Count, o.Holdout, o.Seed);
        o.Log?.Invoke($"embedding {samples.Count} images ({train.Length} to fit, {heldOut.Length} held out) with {pipeline.Name}");
        using var features = pipeline.EncodePixels(samples.Pixels);
        var fits = ProbeAttribute.All.Select((a, i) =>
            LinearProbe.Fit(features, samples.LabelsOf(i), a.Classes, train, heldOut, o.ProbeIterations, o.ProbeLearningRate, o.ProbeL2)).ToList();
        var supervised = new Dictionary<string, SupervisedResult>(StringComparer.Ordinal);
        if (controls.Count > 0)
        {
            var config = ModelFactory.LoadConfig(o.Model).Model;
            foreach (var a in controls.DistinctBy(a => a.Name))
            {
                o.Log?.Invoke($"supervised control: {a.Name}, fresh image tower of {config.Name}, {o.SupervisedSteps} steps × {o.SupervisedBatch}");
                int index = IndexOf(a);
                supervised[a.Name] = SupervisedControl.Train(config, a, samples.Pixels, samples.LabelsOf(index), train, heldOut, o, device);
            }
        }
        var rows = ProbeAttribute.All.Select((a, i) => new ProbeRow(a, fits[i], supervised.GetValueOrDefault(a.Name))).ToList();
        var partial = new ProbeResult("", samples.Count, train.Length, heldOut.Length, pipeline.EmbeddingDim, samples.Bad, rows);
        var path = Path.Combine(Path.GetFullPath(o.OutputDir), ResultsFile);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        return partial with { ResultsPath = ExperimentResults.Write(path, ProbeResults.ToJson(partial, o)) };
    }

    private static int IndexOf(ProbeAttribute a)
    {
        for (int i = 0; i < ProbeAttribute.All.Count; i++) if (ProbeAttribute.All[i].Name == a.Name) return i;
        throw new ClipSharpException($"Unknown probe attribute \"{a.Name}\".");
    }

    // Everything the options can get wrong, before anything is loaded.
    private static void Validate(ProbeOptions o)
    {
        if (!Directory.Exists(o.Model)) throw new ClipSharpException($"Model {o.Model}: not a directory (give a run folder or a local OpenCLIP / CLIPS model folder).");
        if (!Directory.Exists(o.World)) throw new ClipSharpException($"World {o.World}: not a directory (make one with `clipsharp scenes generate`).");
        if (o.Samples < 2) throw new ClipSharpException($"--samples must be at least 2, not {o.Samples}.");
        if (o.Holdout is <= 0 or >= 1 || double.IsNaN(o.Holdout)) throw new ClipSharpException($"--holdout must lie in (0, 1), not {o.Holdout}.");
        if (o.EmbedBatch <= 0 || o.ProbeIterations <= 0) throw new ClipSharpException("The embedding batch and the probe's iterations must be positive.");
        if (o.Supervised.Count == 0) return;
        if (o.SupervisedSteps <= 0) throw new ClipSharpException($"--steps must be positive, not {o.SupervisedSteps}.");
        if (o.SupervisedBatch <= 0) throw new ClipSharpException($"--batch must be positive, not {o.SupervisedBatch}.");
        if (!(o.SupervisedLearningRate > 0) || !double.IsFinite(o.SupervisedLearningRate)) throw new ClipSharpException($"--lr must be a positive number, not {o.SupervisedLearningRate}.");
        if (o.SupervisedEvalEvery <= 0) throw new ClipSharpException($"The control's evaluation interval must be positive, not {o.SupervisedEvalEvery}.");
    }
}

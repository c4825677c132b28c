using System.Diagnostics;
using ClipSharp.Modeling;
using ClipSharp.Training.Optim;
using TorchSharp;
using static TorchSharp.torch;

namespace ClipSharp.Workflows.Probes;

/// <summary>One evaluation of the supervised control: the step, that step's training loss, held-out accuracy.</summary>
public sealed record SupervisedPoint(int Step, double Loss, double HeldOutAccuracy);

/// <summary>The supervised control of one attribute: its settings, the accuracy curve and the wall time.</summary>
public sealed record SupervisedResult(string Attribute, int Classes, int Steps, int Batch, double LearningRate,
    IReadOnlyList<SupervisedPoint> Curve, double Seconds)
{
    /// <summary>Held-out accuracy after the last step.</summary>
    public double HeldOutAccuracy => Curve[^1].HeldOutAccuracy;
}

/// <summary>
/// The supervised control: the model's image tower config (its <see cref="VisionTransformer"/>, OpenCLIP's init from
/// the seed) with a linear head on the pooled features, trained from scratch with cross-entropy on one attribute, on the
/// probe's training rows and eval preprocessing (no augmentation). AdamW (the trainer's: weight decay on matrices only,
/// β = 0.9/0.98, ε = 1e-6) at a constant learning rate; batches drawn with replacement by a seeded generator. It tells
/// "the tower cannot learn this at this budget" (the control fails too) from "the contrastive signal does not ask for
/// it" (the control learns it, the embedding's probe does not). Held-out accuracy in eval mode.
/// </summary>
public static class SupervisedControl
{
    private const int EvalBatch = 256;

    /// <summary>Trains and evaluates the control for <paramref name="attribute"/> (labels in <paramref name="labels"/>).</summary>
    public static SupervisedResult Train(ModelConfig config, ProbeAttribute attribute, Tensor pixels, long[] labels,
        long[] train, long[] heldOut, ProbeOptions o, Device device)
    {
        manual_seed(o.Seed);
        using var net = new ControlNet(config, attribute.Classes);
        net.to(device).train();
        using var opt = ParameterGroups.AdamW(net, o.SupervisedLearningRate, 0.9, 0.98, 1e-6, o.SupervisedWeightDecay);
        using var y = tensor(labels);
        var rng = new Random(unchecked((int)o.Seed));
        var curve = new List<SupervisedPoint>();
        var clock = Stopwatch.StartNew();
        for (int step = 1; step <= o.SupervisedSteps; step++)
        {
            using var scope = NewDisposeScope();
            var pick = tensor(Enumerable.Range(0, o.SupervisedBatch).Select(_ => train[rng.Next(train.Length)]).ToArray());
            opt.zero_grad();
            var logits = net.Head.forward(((IVisionTower)net.Visual).Encode(pixels.index_select(0, pick).to(device)).Pooled);
            var loss = nn.functional.cross_entropy(logits, y.index_select(0, pick).to(device));
            loss.backward();
            opt.step();
            if (step % o.SupervisedEvalEvery != 0 && step != o.SupervisedSteps) continue;
            var point = new SupervisedPoint(step, loss.item<float>(), Accuracy(net, pixels, y, heldOut, device));
            curve.Add(point);
            o.Log?.Invoke($"supervised {attribute.Name}: step {step} loss {point.Loss:F3} held-out accuracy {100 * point.HeldOutAccuracy:F1} % ({clock.Elapsed.TotalSeconds:F0} s)");
        }
        return new SupervisedResult(attribute.Name, attribute.Classes, o.SupervisedSteps, o.SupervisedBatch, o.SupervisedLearningRate, curve, clock.Elapsed.TotalSeconds);
    }

    /// <summary>The control's network: the image tower (under its OpenCLIP name) and a linear head on its pooled features.</summary>
    internal sealed class ControlNet : nn.Module
    {
        public readonly nn.Module Visual;
        public readonly TorchSharp.Modules.Linear Head;

        public ControlNet(ModelConfig config, int classes) : base(nameof(ControlNet))
        {
            Visual = VisionTowers.Create(config.Vision, config.EmbedDim, config.QuickGelu);
            Head = nn.Linear(config.EmbedDim, classes);
            RegisterComponents();
        }
    }

    // Held-out accuracy in eval mode, in batches; the net goes back to training mode.
    private static double Accuracy(ControlNet net, Tensor pixels, Tensor y, long[] heldOut, Device device)
    {
        net.eval();
        using var noGrad = no_grad();
        long correct = 0;
        for (int from = 0; from < heldOut.Length; from += EvalBatch)
        {
            using var scope = NewDisposeScope();
            var idx = tensor(heldOut[from..Math.Min(heldOut.Length, from + EvalBatch)]);
            var predicted = net.Head.forward(((IVisionTower)net.Visual).Encode(pixels.index_select(0, idx).to(device)).Pooled).argmax(1).cpu();
            correct += predicted.eq(y.index_select(0, idx)).sum().item<long>();
        }
        net.train();
        return correct / (double)heldOut.Length;
    }
}

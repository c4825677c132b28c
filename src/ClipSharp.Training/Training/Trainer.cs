using System.Diagnostics;
using ClipSharp.Core;
using ClipSharp.Data;
using ClipSharp.Data.Images;
using ClipSharp.Distributed;
using ClipSharp.Modeling;
using ClipSharp.Text;
using ClipSharp.Training.Checkpointing;
using ClipSharp.Training.Distributed;
using ClipSharp.Training.Evals;
using ClipSharp.Training.Finetuning;
using ClipSharp.Training.Metrics;
using ClipSharp.Training.Optim;
using ClipSharp.Training.Recipes;
using ClipSharp.Training.Runs;
using ClipSharp.Training.Schedules;
using ClipSharp.Training.Tasks;
using TorchSharp;
using static TorchSharp.torch;

namespace ClipSharp.Training;

/// <summary>
/// The training loop, in sections read top to bottom: setup, model and optimizer, resume, data, then the loop (step,
/// log, evals, checkpoint) and the end of the run. One step: set the scheduled lr; read AccumSteps micro-batches;
/// compute the task's features (with accumulation: once without gradient for every micro-batch, then again with
/// gradient for one micro-batch at a time, its cached features replaced by live ones, so the loss's negatives span the
/// whole step's batch — OpenCLIP's accum_freq semantics); backward; all-reduce gradients across ranks; clip; skip the
/// update when the loss or the gradient norm is not finite; AdamW step; clamp the logit scale. Every step runs in its
/// own dispose scope. Checkpoints (weights, optimizer moments, step, data position, RNG) make a resumed run equal an
/// uninterrupted one.
/// </summary>
public static class Trainer
{
    /// <summary>Runs (or resumes) the recipe to its last step; returns what happened.</summary>
    public static TrainResult Run(TrainOptions o)
    {
        // Setup: recipe checks, device, run folder, tokenizer, task, evals, schedule.
        if (o.TuneProcess) { ProcessTuning.Apply(); VipsSettings.EnsureApplied(); }
        var s = Setup(o);
        // Model and optimizer (the seed decides the initial weights).
        torch.manual_seed((long)(s.Recipe.Seed & long.MaxValue));
        using var model = ModelFactory.Create(s.ModelFile.Model, s.Device);
        LoadPretrained(s, model);
        s.Precision.ApplyTo(model);                       // after loading fp32 weights, before the optimizer sees the parameters
        var r = s.Recipe;
        model.SetGradCheckpointing(r.GradCheckpointing);
        using var random = new StepRandomness(model, r.Seed, s.Dist.Rank);     // patch dropout draws: f(seed, step, rank, micro)
        // Fine-tuning controls: locked towers, layer-wise lr decay (with the weight-decay groups).
        using var optimizer = FineTuneSetup.Optimizer(model, r, s.Log is null ? null : s.Log.OnMessage);
        // Resume: weights, moments, RNG, data position; every rank starts from the same place.
        var state = Resume(s, model, optimizer);
        // Data.
        using var loader = new DataLoader(LoaderOptionsFor(s));
        if (s.Dist.IsMain) s.Run.WriteDescription(r, s.ModelFile, s.Preprocess, s.Vocab);
        using var metrics = s.Dist.IsMain ? new MetricsLog(s.Run.Root, s.ResumeFrom?.Step) : null;
        // The loop.
        var p = new Progress(state, Math.Min(r.Schedule.TotalSteps, o.StopAtStep ?? r.Schedule.TotalSteps));
        var parameters = model.parameters().Where(x => x.requires_grad).ToList();   // locked parameters have no gradient
        s.Log?.OnStart(p.Step, r.Schedule.TotalSteps, s.Run.Root);
        model.train();
        using var batches = loader.Batches(state.Data).GetEnumerator();
        while (p.Step < p.Stop && !o.Cancellation.IsCancellationRequested)
        {
            using var scope = NewDisposeScope();
            var outcome = Step(s, model, optimizer, parameters, batches, p, random);
            bool last = p.Step == r.Schedule.TotalSteps;
            if (p.Step % Math.Max(1, r.LogEverySteps) == 0 || last || p.Step == p.Stop) LogStep(s, model, outcome, p, metrics);
            foreach (var e in s.Evals.Due(p.Step, final: false).Where(_ => !last && s.Dist.IsMain)) RunEval(s, e, model, p.Step, metrics);
            if (p.Step % Math.Max(1, r.Checkpoint.EverySteps) == 0 || last || p.Step == p.Stop || o.Cancellation.IsCancellationRequested)
                CheckpointAll(s, model, optimizer, p);
            o.Faults?.AfterStep(p.Step);
        }
        // The end: final weights, final evals, summary.
        return Finish(s, model, loader, metrics, p);
    }

    // ---- setup -------------------------------------------------------------------------------------------------

    private sealed record Session(TrainOptions Options, Recipe Recipe, ICollectives Dist, ITrainingObserver? Log, Device Device,
        RunDirectory Run, ModelConfigFile ModelFile, string Vocab, ITextTokenizer Tokenizer, ITrainingTask Task,
        PreprocessConfig Preprocess, EvalRunner Evals, LrSchedule Schedule, CheckpointRef? ResumeFrom, CheckpointStore Store,
        TrainingPrecision Precision, DynamicLossScaler? Scaler);

    private static Session Setup(TrainOptions o)
    {
        var r = o.Recipe;
        var dist = o.Collectives ?? new SingleProcessCollectives();
        var log = dist.IsMain ? o.Observer : null;
        if (r.AccumSteps < 1 || r.BatchSize % r.AccumSteps != 0)
            throw new ClipSharpException($"batch_size {r.BatchSize} must be a positive multiple of accum_steps {r.AccumSteps}.");
        if (r.Threads is { } threads) torch.set_num_threads(threads);
        var device = DeviceSpec.Parse(r.Device);
        var run = new RunDirectory(Path.GetFullPath(o.RunDirectory ?? r.OutputDir ?? Path.Combine("runs", r.Name)));
        var modelFile = ModelFactory.LoadConfig(r.Model);
        if (r.ForcePatchDropout is { } pd) // OpenCLIP --force-patch-dropout: this run's model only (open_clip_config.json keeps the file's)
            modelFile = modelFile with { Model = modelFile.Model with { Vision = modelFile.Model.Vision with { PatchDropout = pd } } };
        var cfg = modelFile.Model;
        var vocabSpec = new TokenizerSpec(cfg.Text.HfTokenizerName, r.Tokenizer.Vocab ?? PretrainedWeights.VocabFolder(r.Pretrained)
            ?? throw new ClipSharpException($"Recipe '{r.Name}': tokenizer.vocab is required (a vocab.txt for WordPiece models, a BPE file for CLIP)."),
            cfg.Text.ContextLength) { TokenizerMode = cfg.Text.TokenizerMode };
        var vocab = TokenizerFactory.VocabFile(vocabSpec);                    // a folder → its vocabulary file (copied into the run)
        var tokenizer = TokenizerFactory.Create(vocabSpec);
        var preprocess = RunDirectory.Preprocess(modelFile);
        var evals = new EvalRunner(r.Evals, tokenizer, new EvalTransform(preprocess), device);
        evals.Validate();
        var precision = TrainingPrecision.Parse(r.Precision);                  // an unknown name fails before any work
        var resumeFrom = o.Resume is { } res ? CheckpointStore.Resolve(res, run.Root) : null;
        if (o.Resume is "latest" && resumeFrom is null) log?.OnMessage($"no checkpoint in {run.Root}; starting from scratch");
        return new Session(o, r, dist, log, device, run, modelFile, vocab, tokenizer, TrainingTaskFactory.Create(r.Task), preprocess,
            evals, LrSchedule.From(r.Schedule, r.Optim.Lr), resumeFrom, new CheckpointStore(run.Root, r.Checkpoint.KeepLast),
            precision, precision.LossScaling ? new DynamicLossScaler() : null);
    }

    private static LoaderOptions LoaderOptionsFor(Session s) => new()
    {
        Sources = s.Recipe.Data.Sources, BatchSize = s.Recipe.BatchSize / s.Recipe.AccumSteps, Workers = s.Recipe.Data.Workers,
        ShuffleBuffer = s.Recipe.Data.ShuffleBuffer, Seed = s.Recipe.Seed, Strict = s.Recipe.Data.Strict, Rank = s.Dist.Rank,
        WorldSize = s.Dist.WorldSize, Preprocess = s.Preprocess, Augment = s.Recipe.Data.AugmentConfig(),
        Captions = s.Task.Views(s.Tokenizer, s.ModelFile.Model), Log = s.Log is null ? null : s.Log.OnMessage,
    };

    // ---- model, optimizer, resume ------------------------------------------------------------------------------

    private static void LoadPretrained(Session s, ContrastiveModel model)
    {
        if (s.Recipe.Pretrained is not { } pretrained || s.ResumeFrom is not null) return;
        var loaded = PretrainedWeights.Load(model, pretrained);               // not inside ?. : it must run without an observer
        s.Log?.OnMessage(loaded);
    }

    private static TrainerState Resume(Session s, ContrastiveModel model, optim.Optimizer optimizer)
    {
        var state = new TrainerState();
        if (s.ResumeFrom is { } from)
        {
            state = TrainerCheckpoints.Restore(from, model, optimizer);
            if (s.Scaler is not null && state.LossScale is { } scale) s.Scaler.Restore(scale, state.LossScaleGoodSteps, state.LossScaleSkipped);
            s.Log?.OnMessage($"resumed from {from.Directory} (step {state.Step}, epoch {state.Data?.Epoch}, sample {state.Data?.SamplesInEpoch})");
        }
        if (s.Dist.WorldSize == 1) return state;
        RankAgreement.CheckSameStart(state.Step, s.Dist);
        state = state with { Data = RankAgreement.RankPosition(state, s.Dist, s.Log is null ? null : s.Log.OnMessage) };
        DataParallel.BroadcastParameters(model, s.Dist);
        return state;
    }

    // ---- one step ----------------------------------------------------------------------------------------------

    /// <summary>The loop's counters, carried from step to step (and into checkpoints).</summary>
    private sealed class Progress(TrainerState state, long stop)
    {
        public long Step = state.Step, NonFinite = state.NonFiniteSkipped, InARow, Samples = state.SamplesSeen, LoggedSamples = state.SamplesSeen;
        public readonly long Stop = stop;
        public readonly double SecondsBefore = state.Seconds;
        public double LastLogSeconds;
        public TimeSpan GradSync;                       // time in the gradient all-reduce since the last log line (rank-local)
        public LoaderPosition Position = state.Data ?? LoaderPosition.Start;
        public readonly Stopwatch Clock = Stopwatch.StartNew();
        public double Seconds => SecondsBefore + Clock.Elapsed.TotalSeconds;
    }

    private sealed record StepOutcome(LossParts Loss, double LossValue, double GradNorm, double Lr, bool Finite);

    private static StepOutcome Step(Session s, ContrastiveModel model, optim.Optimizer optimizer, List<TorchSharp.Modules.Parameter> parameters,
        IEnumerator<TrainBatch> batches, Progress p, StepRandomness random)
    {
        var r = s.Recipe;
        double lr = s.Schedule.At(p.Step);
        ParameterGroups.SetLearningRate(optimizer, lr);                       // × each group's layer-decay scale
        var micro = new List<StepBatch>(r.AccumSteps);
        for (int a = 0; a < r.AccumSteps; a++)
        {
            if (!batches.MoveNext()) throw new InvalidOperationException("the data loader ended");
            using var b = batches.Current;
            p.Position = b.Position;
            micro.Add(StepBatch.From(b, s.Device));
        }
        LossParts loss;
        try { loss = ForwardBackward(s.Task, model, micro, s.Dist, s.Scaler, j => random.Reseed(p.Step, j)); }
        catch (System.Runtime.InteropServices.ExternalException e)
        {
            throw new ClipSharpException($"Step {p.Step + 1}: libtorch failed in the forward or backward pass: {e.Message.Split('\n')[0].Trim()}", e);
        }
        if (s.Dist.WorldSize > 1) p.GradSync += DataParallel.AllReduceGradients(parameters, s.Dist).Elapsed;
        s.Scaler?.Unscale(parameters);
        double gradNorm = nn.utils.clip_grad_norm_(parameters, r.Optim.GradClipNorm ?? double.PositiveInfinity);
        double lossValue = loss.Total.item<float>();
        bool finite = double.IsFinite(lossValue) && double.IsFinite(gradNorm);
        if (s.Dist.WorldSize > 1) finite = TrainerReductions.AllRanksFinite(finite, s.Dist);
        Update(s, model, optimizer, p, finite, lossValue, gradNorm);
        p.Step++;
        p.Samples += (long)r.BatchSize * s.Dist.WorldSize;
        return new StepOutcome(loss, lossValue, gradNorm, lr, finite);
    }

    // One step's forward and backward over its micro-batches; returns the (last) loss for logging. reseed(j) comes before
    // every forward of micro-batch j, so its cached and live forwards draw the same patch-dropout subsets.
    private static LossParts ForwardBackward(ITrainingTask task, ContrastiveModel model, List<StepBatch> micro, ICollectives dist,
        DynamicLossScaler? scaler, Action<int> reseed)
    {
        if (micro.Count == 1)
        {
            reseed(0);
            var lp = task.Loss(model, TrainingPrecision.LossInputs(task.Features(model, micro[0])), micro[0], dist);
            (scaler?.ScaleLoss(lp.Total) ?? lp.Total).backward();
            return lp;
        }
        var whole = StepBatch.Concat(micro);
        var cached = new List<IReadOnlyDictionary<string, Tensor>>();
        using (no_grad()) for (int j = 0; j < micro.Count; j++) { reseed(j); cached.Add(TrainingPrecision.LossInputs(task.Features(model, micro[j]))); }
        LossParts? last = null;
        for (int j = 0; j < micro.Count; j++)
        {
            reseed(j);
            var live = TrainingPrecision.LossInputs(task.Features(model, micro[j]));
            var features = live.Keys.ToDictionary(k => k, k => cat(cached.Select((c, i) => i == j ? live[k] : c[k]).ToList(), 0));
            last = task.Loss(model, features, whole, dist);
            (scaler?.ScaleLoss(last.Total) ?? last.Total).backward();
        }
        return last!;
    }

    // The optimizer step, or a skipped update (and divergence detection) when the loss or the gradient is not finite.
    private static void Update(Session s, ContrastiveModel model, optim.Optimizer optimizer, Progress p, bool finite, double loss, double gradNorm)
    {
        if (s.Scaler is { } scaler && double.IsFinite(loss))
        {
            // amp_fp16: an overflow in the scaled gradients is the scaler's signal to lower S, not divergence.
            scaler.Update(finite);
            if (finite) optimizer.step();
            if (finite && s.Recipe.Optim.ClampLogitScale) ParameterGroups.ClampLogitScale(model.logit_scale);
            if (!finite) s.Log?.OnMessage($"step {p.Step + 1}: fp16 gradients overflowed; update skipped, loss scale now {scaler.Scale}");
            optimizer.zero_grad();
            return;
        }
        if (finite)
        {
            optimizer.step();
            if (s.Recipe.Optim.ClampLogitScale) ParameterGroups.ClampLogitScale(model.logit_scale);
            p.InARow = 0;
        }
        else
        {
            p.NonFinite++;
            s.Log?.OnMessage($"step {p.Step + 1}: loss {loss} / grad norm {gradNorm} is not finite; update skipped ({p.NonFinite} so far)");
            if (++p.InARow >= s.Recipe.MaxNonFiniteInARow)
                throw new ClipSharpException($"Training diverged: {p.InARow} steps in a row (up to step {p.Step + 1}) had a non-finite loss or gradient; " +
                    "lower optim.lr, set optim.grad_clip_norm, or resume from an earlier checkpoint.");
        }
        optimizer.zero_grad();
    }

    // ---- logging, evals, checkpoints ---------------------------------------------------------------------------

    private static void LogStep(Session s, ContrastiveModel model, StepOutcome o, Progress p, MetricsLog? metrics)
    {
        var r = s.Recipe;
        double lossValue = o.LossValue;
        var parts = o.Loss.Parts.ToDictionary(x => x.Key, x => (double)x.Value.item<float>());
        if (s.Dist.WorldSize > 1) TrainerReductions.MeanOverRanks(ref lossValue, parts, s.Dist);
        double seconds = p.Clock.Elapsed.TotalSeconds;
        double rate = (p.Samples - p.LoggedSamples) / Math.Max(1e-9, seconds - p.LastLogSeconds);
        (p.LoggedSamples, p.LastLogSeconds) = (p.Samples, seconds);
        long total = r.Schedule.TotalSteps;
        var report = new StepReport(p.Step, total, o.Lr, lossValue, parts, o.GradNorm, model.logit_scale.detach().to(ScalarType.Float32).item<float>(), rate,
            TimeSpan.FromSeconds(p.SecondsBefore + seconds), TimeSpan.FromSeconds((total - p.Step) * r.BatchSize * s.Dist.WorldSize / Math.Max(rate, 1e-9)),
            p.Samples, !o.Finite);
        var values = report.Values();
        if (s.Scaler is { } scaler) { values["loss_scale"] = scaler.Scale; values["loss_scale_skipped"] = scaler.Skipped; }
        if (s.Dist.WorldSize > 1) values["grad_sync_s"] = p.GradSync.TotalSeconds;
        p.GradSync = TimeSpan.Zero;
        metrics?.Write(p.Step, "train", values);
        s.Log?.OnStep(report);
    }

    private static EvalOutcome RunEval(Session s, EvalRecipe e, ContrastiveModel model, long step, MetricsLog? metrics)
    {
        var outcome = s.Evals.Run(e, model, s.Log is null ? null : s.Log.OnMessage);
        model.train();
        metrics?.Write(step, "eval", outcome.Metrics.ToDictionary(kv => $"{e.Name}/{kv.Key}", kv => kv.Value));
        s.Log?.OnEval(step, outcome);
        return outcome;
    }

    private static void CheckpointAll(Session s, ContrastiveModel model, optim.Optimizer optimizer, Progress p)
    {
        var st = new TrainerState
        {
            Step = p.Step, Data = p.Position, RankData = s.Dist.WorldSize > 1 ? RankAgreement.GatherPositions(p.Position, s.Dist) : null,
            SamplesSeen = p.Samples, NonFiniteSkipped = p.NonFinite,
            TorchRng = Convert.ToBase64String(torch.random.get_rng_state().bytes.ToArray()), Seconds = p.Seconds,
            LossScale = s.Scaler?.Scale, LossScaleGoodSteps = s.Scaler?.GoodSteps ?? 0, LossScaleSkipped = s.Scaler?.Skipped ?? 0,
        };
        if (s.Dist.IsMain)
        {
            var c = TrainerCheckpoints.Write(s.Store, model, optimizer, st, s.Options.Faults);
            s.Log?.OnMessage($"checkpoint {c.Directory}");
        }
        s.Dist.Barrier();
    }

    // ---- the end of the run ------------------------------------------------------------------------------------

    private static TrainResult Finish(Session s, ContrastiveModel model, DataLoader loader, MetricsLog? metrics, Progress p)
    {
        var finals = new List<EvalOutcome>();
        bool completed = p.Step == s.Recipe.Schedule.TotalSteps;
        if (completed && s.Dist.IsMain)
        {
            s.Run.WriteModel(model);
            foreach (var e in s.Evals.Due(p.Step, final: true)) finals.Add(RunEval(s, e, model, p.Step, metrics));
            var bad = loader.BadSamples;
            metrics?.Write(p.Step, "summary", new Dictionary<string, double>(bad.Counts.Select(kv => KeyValuePair.Create($"bad_samples/{kv.Key}", (double)kv.Value)))
            {
                ["samples_seen"] = p.Samples, ["non_finite_skipped"] = p.NonFinite, ["seconds"] = p.Seconds,
            });
            RunResults.Write(s.Run.ResultsPath, s.Recipe, finals, bad, p.Step, p.Samples, p.Seconds);
            if (bad.Total > 0) s.Log?.OnMessage($"bad samples skipped: {bad.Summary()}");
        }
        return new TrainResult(s.Run.Root, p.Step, p.Samples, p.Seconds, p.NonFinite, loader.BadSamples, finals, completed);
    }
}

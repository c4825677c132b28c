using System.Diagnostics;
using ClipSharp.Checkpoints;
using ClipSharp.Core;
using ClipSharp.Data;
using ClipSharp.Data.Images;
using ClipSharp.Distributed;
using ClipSharp.Modeling;
using ClipSharp.Text;
using ClipSharp.Training.Checkpointing;
using ClipSharp.Training.Distributed;
using ClipSharp.Training.Evals;
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
/// The training loop. One step: set the scheduled lr; read AccumSteps micro-batches; compute the task's features
/// (with accumulation: once without gradient for every micro-batch, then again with gradient for one micro-batch at a
/// time, its cached features replaced by live ones, so the loss's negatives span the whole step's batch — OpenCLIP's
/// accum_freq semantics); backward; all-reduce gradients across ranks; clip; skip the update when the loss or the
/// gradient norm is not finite; AdamW step; clamp the logit scale. Every step runs in its own dispose scope.
/// Checkpoints (weights, optimizer moments, step, data position, RNG) make a resumed run equal an uninterrupted one.
/// </summary>
public static class Trainer
{
    /// <summary>Runs (or resumes) the recipe to its last step; returns what happened.</summary>
    public static TrainResult Run(TrainOptions o)
    {
        var r = o.Recipe;
        var dist = o.Collectives ?? new SingleProcessCollectives();
        var log = dist.IsMain ? o.Observer : null;
        if (r.Precision.Trim().ToLowerInvariant() != "fp32")
            throw new ClipSharpException($"precision \"{r.Precision}\" is not available: TorchSharp 0.107 has no autocast binding, so ClipSharp trains in fp32 only.");
        if (r.AccumSteps < 1 || r.BatchSize % r.AccumSteps != 0)
            throw new ClipSharpException($"batch_size {r.BatchSize} must be a positive multiple of accum_steps {r.AccumSteps}.");
        if (r.Threads is { } threads) torch.set_num_threads(threads);
        var device = DeviceSpec.Parse(r.Device);
        var run = new RunDirectory(Path.GetFullPath(o.RunDirectory ?? r.OutputDir ?? Path.Combine("runs", r.Name)));

        // Model, tokenizer, task, data, optimizer.
        var modelFile = ModelFactory.LoadConfig(r.Model);
        var cfg = modelFile.Model;
        var vocab = r.Tokenizer.Vocab ?? throw new ClipSharpException($"Recipe '{r.Name}': tokenizer.vocab is required (a vocab.txt for WordPiece models, a BPE file for CLIP).");
        var tokenizer = TokenizerFactory.Create(new TokenizerSpec(cfg.Text.HfTokenizerName, vocab, cfg.Text.ContextLength) { TokenizerMode = cfg.Text.TokenizerMode });
        var task = TrainingTaskFactory.Create(r.Task, r.Seed);
        var preprocess = RunDirectory.Preprocess(modelFile);
        var evals = new EvalRunner(r.Evals, tokenizer, new EvalTransform(preprocess), device);
        evals.Validate();
        var schedule = LrSchedule.From(r.Schedule, r.Optim.Lr);
        var resumeFrom = o.Resume is { } res ? CheckpointStore.Resolve(res, run.Root) : null;
        if (o.Resume is "latest" && resumeFrom is null) log?.OnMessage($"no checkpoint in {run.Root}; starting from scratch");

        torch.manual_seed((long)(r.Seed & long.MaxValue));
        using var model = ModelFactory.Create(cfg, device);
        if (r.Pretrained is { } pretrained && resumeFrom is null)
        {
            using var weights = CheckpointReader.Read(pretrained);
            StateDictLoader.Load(model, weights, strict: true, source: pretrained);
        }
        using var optimizer = ParameterGroups.AdamW(model, r.Optim.Lr, r.Optim.Beta1, r.Optim.Beta2, r.Optim.Eps, r.Optim.WeightDecay,
            ParameterGroups.ParseRule(r.Optim.DecayRule));
        var state = new TrainerState();
        if (resumeFrom is not null)
        {
            state = Restore(resumeFrom, model, optimizer);
            log?.OnMessage($"resumed from {resumeFrom.Directory} (step {state.Step}, epoch {state.Data?.Epoch}, sample {state.Data?.SamplesInEpoch})");
        }
        if (dist.WorldSize > 1)
        {
            RankAgreement.CheckSameStart(state.Step, dist);
            state = state with { Data = RankAgreement.RankPosition(state, dist, log is null ? null : log.OnMessage) };
            DataParallel.BroadcastParameters(model, dist);
        }

        using var loader = new DataLoader(new LoaderOptions
        {
            Sources = r.Data.Sources, BatchSize = r.BatchSize / r.AccumSteps, Workers = r.Data.Workers,
            ShuffleBuffer = r.Data.ShuffleBuffer, Seed = r.Seed, Strict = r.Data.Strict, Rank = dist.Rank, WorldSize = dist.WorldSize,
            Preprocess = preprocess, Augment = Augment(r.Data.Augment), Captions = task.Views(tokenizer, cfg),
            Log = log is null ? null : log.OnMessage,
        });
        var store = new CheckpointStore(run.Root, r.Checkpoint.KeepLast);
        if (dist.IsMain) run.WriteDescription(r, modelFile, preprocess, vocab);
        using var metrics = dist.IsMain ? new MetricsLog(run.Root, resumeFrom?.Step) : null;

        long total = r.Schedule.TotalSteps, stop = Math.Min(total, o.StopAtStep ?? total);
        long step = state.Step, nonFinite = state.NonFiniteSkipped, inARow = 0, samples = state.SamplesSeen;
        long loggedSamples = samples, nativeRetries = 0;
        var gradSync = TimeSpan.Zero; // time in the gradient all-reduce since the last log line (rank-local)
        var clock = Stopwatch.StartNew();
        double secondsBefore = state.Seconds, lastLogSeconds = 0;
        var parameters = model.parameters().ToList();
        log?.OnStart(step, total, run.Root);
        model.train();

        using var batches = loader.Batches(state.Data).GetEnumerator();
        var position = state.Data ?? LoaderPosition.Start;
        while (step < stop && !o.Cancellation.IsCancellationRequested)
        {
            using var scope = NewDisposeScope();
            double lr = schedule.At(step);
            foreach (var g in optimizer.ParamGroups) g.LearningRate = lr;

            var micro = new List<IReadOnlyDictionary<string, Tensor>>(r.AccumSteps);
            for (int a = 0; a < r.AccumSteps; a++)
            {
                if (!batches.MoveNext()) throw new InvalidOperationException("the data loader ended");
                using var b = batches.Current;
                position = b.Position;
                var d = new Dictionary<string, Tensor> { ["images"] = b.Images.to(device).clone() };
                foreach (var (k, t) in b.Texts) d[k] = t.to(device).clone();
                micro.Add(d);
            }
            var loss = ForwardBackwardWithRetry(task, model, optimizer, micro, dist, step, log, ref nativeRetries);
            if (dist.WorldSize > 1) gradSync += DataParallel.AllReduceGradients(parameters, dist).Elapsed;
            double gradNorm = nn.utils.clip_grad_norm_(parameters, r.Optim.GradClipNorm ?? double.PositiveInfinity);
            double lossValue = loss.Total.item<float>();
            bool finite = double.IsFinite(lossValue) && double.IsFinite(gradNorm);
            if (dist.WorldSize > 1) finite = AllRanksFinite(finite, dist);
            if (finite)
            {
                optimizer.step();
                if (r.Optim.ClampLogitScale) ParameterGroups.ClampLogitScale(model.logit_scale);
                inARow = 0;
            }
            else
            {
                nonFinite++;
                log?.OnMessage($"step {step + 1}: loss {lossValue} / grad norm {gradNorm} is not finite; update skipped ({nonFinite} so far)");
                if (++inARow >= r.MaxNonFiniteInARow)
                    throw new ClipSharpException($"Training diverged: {inARow} steps in a row (up to step {step + 1}) had a non-finite loss or gradient; " +
                        "lower optim.lr, set optim.grad_clip_norm, or resume from an earlier checkpoint.");
            }
            optimizer.zero_grad();
            step++;
            samples += (long)r.BatchSize * dist.WorldSize;

            bool last = step == total;
            if (step % Math.Max(1, r.LogEverySteps) == 0 || last || step == stop)
            {
                var parts = loss.Parts.ToDictionary(p => p.Key, p => (double)p.Value.item<float>());
                if (dist.WorldSize > 1) MeanOverRanks(ref lossValue, parts, dist);
                double seconds = clock.Elapsed.TotalSeconds;
                double rate = (samples - loggedSamples) / Math.Max(1e-9, seconds - lastLogSeconds);
                (loggedSamples, lastLogSeconds) = (samples, seconds);
                var report = new StepReport(step, total, lr, lossValue, parts, gradNorm, model.logit_scale.item<float>(), rate,
                    TimeSpan.FromSeconds(secondsBefore + seconds), TimeSpan.FromSeconds((total - step) * r.BatchSize * dist.WorldSize / Math.Max(rate, 1e-9)),
                    samples, !finite);
                var values = StepValues(report);
                if (dist.WorldSize > 1) values["grad_sync_s"] = gradSync.TotalSeconds;
                if (nativeRetries > 0) values["native_retries"] = nativeRetries;
                gradSync = TimeSpan.Zero;
                metrics?.Write(step, "train", values);
                log?.OnStep(report);
            }
            foreach (var e in evals.Due(step, final: false).Where(_ => !last && dist.IsMain)) RunEval(evals, e, model, step, metrics, log);
            if (step % Math.Max(1, r.Checkpoint.EverySteps) == 0 || last || step == stop || o.Cancellation.IsCancellationRequested)
            {
                var st = new TrainerState
                {
                    Step = step, Data = position, RankData = dist.WorldSize > 1 ? RankAgreement.GatherPositions(position, dist) : null, SamplesSeen = samples, NonFiniteSkipped = nonFinite,
                    TorchRng = Convert.ToBase64String(torch.random.get_rng_state().bytes.ToArray()), Seconds = secondsBefore + clock.Elapsed.TotalSeconds,
                };
                if (dist.IsMain) Checkpoint(store, model, optimizer, st, log);
                dist.Barrier();
            }
            CheckpointStore.PauseIfFaulted(step);
        }

        var finals = new List<EvalOutcome>();
        bool completed = step == total;
        if (completed && dist.IsMain)
        {
            run.WriteModel(model);
            foreach (var e in evals.Due(step, final: true)) finals.Add(RunEval(evals, e, model, step, metrics, log));
            var bad = loader.BadSamples;
            metrics?.Write(step, "summary", new Dictionary<string, double>(bad.Counts.Select(kv => KeyValuePair.Create($"bad_samples/{kv.Key}", (double)kv.Value)))
            {
                ["samples_seen"] = samples, ["non_finite_skipped"] = nonFinite, ["native_retries"] = nativeRetries, ["seconds"] = secondsBefore + clock.Elapsed.TotalSeconds,
            });
            RunResults.Write(run.ResultsPath, r, finals, bad, step, samples, secondsBefore + clock.Elapsed.TotalSeconds);
            if (bad.Total > 0) log?.OnMessage($"bad samples skipped: {bad.Summary()}");
        }
        return new TrainResult(run.Root, step, samples, secondsBefore + clock.Elapsed.TotalSeconds, nonFinite, loader.BadSamples, finals, completed);
    }

    // Last-resort safety net. TorchSharp 0.107 passes temporary Scalars (e.g. the alpha of `a + b`) to libtorch without
    // keeping them alive; when a GC on another thread (the data workers allocate) finalizes one mid-call, libtorch reads
    // freed memory and fails with "toFloat ... Expected false to be true" (dotnet/TorchSharp PRs 1434/1496). The model
    // forwards, Objectives and the AdamW step no longer make such temporaries (Core.Scalars; ScalarLifetimeTests guards
    // them); the losses in Training/Distributed (used single-process too) still do. Forward and backward change nothing
    // but gradients, so a failed attempt is discarded and recomputed from the same inputs: the result is bit-identical
    // to a clean pass. Counted in the metrics as native_retries. Single-process only (a retry on one rank would
    // desynchronise the collectives of the others).
    private static LossParts ForwardBackwardWithRetry(ITrainingTask task, ContrastiveModel model, optim.Optimizer optimizer,
        List<IReadOnlyDictionary<string, Tensor>> micro, ICollectives dist, long step, ITrainingObserver? log, ref long retries)
    {
        for (int attempt = 1; ; attempt++)
        {
            try { return ForwardBackward(task, model, micro, dist); }
            catch (System.Runtime.InteropServices.ExternalException e) when (attempt < 3 && dist.WorldSize == 1)
            {
                optimizer.zero_grad();
                retries++;
                log?.OnMessage($"step {step + 1}: libtorch error \"{e.Message.Split('\n')[0]}\"; recomputing the step (attempt {attempt + 1}, {retries} retries so far)");
            }
        }
    }

    // One step's forward and backward over its micro-batches; returns the (last) loss for logging.
    private static LossParts ForwardBackward(ITrainingTask task, ContrastiveModel model, List<IReadOnlyDictionary<string, Tensor>> micro, ICollectives dist)
    {
        if (micro.Count == 1)
        {
            var lp = task.Loss(model, task.Features(model, micro[0]), micro[0], dist);
            lp.Total.backward();
            return lp;
        }
        var whole = Concat(micro);
        var cached = new List<IReadOnlyDictionary<string, Tensor>>();
        using (no_grad()) foreach (var m in micro) cached.Add(task.Features(model, m));
        LossParts? last = null;
        for (int j = 0; j < micro.Count; j++)
        {
            var live = task.Features(model, micro[j]);
            var features = live.Keys.ToDictionary(k => k, k => cat(cached.Select((c, i) => i == j ? live[k] : c[k]).ToList(), 0));
            last = task.Loss(model, features, whole, dist);
            last.Total.backward();
        }
        return last!;
    }

    private static Dictionary<string, Tensor> Concat(List<IReadOnlyDictionary<string, Tensor>> micro) =>
        micro[0].Keys.ToDictionary(k => k, k => cat(micro.Select(m => m[k]).ToList(), 0));

    private static TrainerState Restore(CheckpointRef from, ContrastiveModel model, optim.Optimizer optimizer)
    {
        var weights = SafeTensorsFile.Load(from.ModelPath);
        StateDictLoader.Load(model, weights, strict: true, source: from.ModelPath);
        foreach (var t in weights.Values) t.Dispose();
        var moments = SafeTensorsFile.Load(from.OptimizerPath);
        OptimizerState.Restore(optimizer, model, moments, from.OptimizerPath);
        foreach (var t in moments.Values) t.Dispose();
        var state = TrainerState.FromJson(File.ReadAllText(from.StatePath), from.StatePath);
        if (state.TorchRng is { } rng)
        {
            var bytes = Convert.FromBase64String(rng);
            using var t = torch.tensor(bytes, dtype: ScalarType.Byte);
            torch.random.set_rng_state(t);
        }
        return state;
    }

    private static void Checkpoint(CheckpointStore store, ContrastiveModel model, optim.Optimizer optimizer, TrainerState st, ITrainingObserver? log)
    {
        var weights = RunDirectory.StateDict(model);
        var moments = OptimizerState.Capture(optimizer, model);
        try
        {
            var c = store.Write(st.Step, weights, moments, st);
            log?.OnMessage($"checkpoint {c.Directory}");
        }
        finally
        {
            foreach (var t in weights.Values) t.Dispose();
            foreach (var t in moments.Values) t.Dispose();
        }
    }

    private static EvalOutcome RunEval(EvalRunner evals, Recipes.EvalRecipe e, ContrastiveModel model, long step, MetricsLog? metrics, ITrainingObserver? log)
    {
        var outcome = evals.Run(e, model, log is null ? null : log.OnMessage);
        model.train();
        metrics?.Write(step, "eval", outcome.Metrics.ToDictionary(kv => $"{e.Name}/{kv.Key}", kv => kv.Value));
        log?.OnEval(step, outcome);
        return outcome;
    }

    private static Dictionary<string, double> StepValues(StepReport s)
    {
        var d = new Dictionary<string, double>
        {
            ["loss"] = s.Loss, ["lr"] = s.Lr, ["grad_norm"] = s.GradNorm, ["logit_scale"] = s.LogitScale,
            ["samples_per_s"] = s.SamplesPerSecond, ["samples_seen"] = s.SamplesSeen, ["skipped"] = s.Skipped ? 1 : 0,
        };
        foreach (var (k, v) in s.Parts) d[$"loss/{k}"] = v;
        return d;
    }

    private static bool AllRanksFinite(bool finite, ICollectives dist)
    {
        using var flag = torch.tensor(finite ? 0f : 1f);
        dist.AllReduce(flag, ReduceOp.Max);
        return flag.item<float>() == 0f;
    }

    private static void MeanOverRanks(ref double loss, Dictionary<string, double> parts, ICollectives dist)
    {
        var keys = parts.Keys.ToList();
        using var t = torch.tensor(new[] { loss }.Concat(keys.Select(k => parts[k])).ToArray());
        dist.AllReduce(t, ReduceOp.Mean);
        var v = t.data<double>().ToArray();
        loss = v[0];
        for (int i = 0; i < keys.Count; i++) parts[keys[i]] = v[i + 1];
    }

    private static TrainAugmentConfig? Augment(string name) => name.Trim().ToLowerInvariant() switch
    {
        "none" => null,
        "default" => TrainAugmentConfig.Default,
        "clipa" => TrainAugmentConfig.Clipa,
        _ => throw new ClipSharpException($"Unknown data.augment \"{name}\"; expected none, default or clipa."),
    };
}

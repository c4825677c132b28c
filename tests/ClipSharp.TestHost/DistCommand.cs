using System.CommandLine;
using System.Diagnostics;
using ClipSharp.Checkpoints;
using ClipSharp.Core;
using ClipSharp.Distributed;
using ClipSharp.Training.Distributed;
using ClipSharp.Training.Objectives;
using TorchSharp;
using static TorchSharp.torch;

namespace ClipSharp.TestHost;

/// <summary>
/// `clipsharp dist-selftest check|kill|throw --out DIR` (hidden): run under `mpirun -np N`, it exercises the
/// collectives, gather-with-grad, the distributed CLIPS loss and data-parallel steps, and writes each rank's inputs
/// and results to DIR/rank{r}.safetensors so a single process can recompute the reference (the Distributed tests do).
/// `kill` SIGKILLs rank 1 mid-job and `throw` raises on rank 1, to prove the job ends instead of hanging.
/// </summary>
public static class DistCommand
{
    private const int B = 4, Steps = 3;

    public static Command Create()
    {
        var scenario = new Argument<string>("scenario") { Description = "check, kill or throw." };
        var output = new Option<string>("--out") { Description = "Folder for rank{r}.safetensors (check).", DefaultValueFactory = _ => "." };
        var backend = new Option<string>("--dist") { Description = "auto, single, mpi or nccl.", DefaultValueFactory = _ => "auto" };
        var cmd = new Command("dist-selftest", "Self-test of the distributed layer; run it under mpirun.") { Hidden = true };
        cmd.Arguments.Add(scenario);
        cmd.Options.Add(output);
        cmd.Options.Add(backend);
        cmd.SetAction(r => Run(r.GetValue(scenario)!, r.GetValue(output)!, r.GetValue(backend)!));
        return cmd;
    }

    private static int Run(string scenario, string outDir, string backend)
    {
        torch.set_num_threads(1);
        using var c = Collectives.FromEnvironment(backend);
        try
        {
            switch (scenario)
            {
                case "check": Check(c, outDir); break;
                case "kill": Kill(c); break;
                case "throw": Throw(c); break;
                default: throw new ClipSharpException($"dist-selftest scenario '{scenario}' is not one of check, kill, throw.");
            }
            c.Barrier();
            if (c.IsMain) Console.WriteLine($"dist-selftest {scenario}: ok on {c.WorldSize} rank(s), backend {c.Backend}");
            return 0;
        }
        catch (Exception e) when (c.WorldSize > 1)
        {
            c.Abort($"dist-selftest {scenario} failed: {e.Message}", 3);
            return 3;
        }
    }

    private static void Kill(ICollectives c)
    {
        c.Barrier();
        if (c.Rank == 1)
        {
            Console.Error.WriteLine("rank 1: killing itself with SIGKILL");
            Process.GetCurrentProcess().Kill();
        }
        var sw = Stopwatch.StartNew();
        using var t = torch.ones(1024);
        while (sw.Elapsed < TimeSpan.FromSeconds(120)) c.AllReduce(t);  // must be torn down by the launcher
        throw new ClipSharpException("rank 0 was still running 120 s after rank 1 died.");
    }

    private static void Throw(ICollectives c)
    {
        c.Barrier();
        if (c.Rank == 1) throw new ClipSharpException("injected failure on rank 1");
        c.Barrier();  // rank 0 waits here for a rank that will never come
    }

    private static void Check(ICollectives c, string outDir)
    {
        var saved = new Dictionary<string, Tensor>();
        CheckCollectives(c, saved);
        CheckTraining(c, saved);
        Directory.CreateDirectory(outDir);
        SafeTensorsWriter.Save(Path.Combine(outDir, $"rank{c.Rank}.safetensors"), saved,
            new Dictionary<string, string> { ["world_size"] = c.WorldSize.ToString(), ["rank"] = c.Rank.ToString(), ["backend"] = c.Backend });
    }

    // Collectives, gather-with-grad and the distributed CLIP loss on rank-dependent inputs.
    private static void CheckCollectives(ICollectives c, Dictionary<string, Tensor> saved)
    {
        int r = c.Rank, w = c.WorldSize;
        // collectives: rank-dependent inputs whose results the test derives from W alone
        var bc = torch.arange(6, dtype: ScalarType.Float32) + 10 * r;
        c.Broadcast(bc, root: w - 1);
        var sum = (torch.arange(6, dtype: ScalarType.Float32) + r).view(2, 3).t();  // non-contiguous (3, 2)
        c.AllReduce(sum);
        var mean = torch.arange(4, dtype: ScalarType.Float64) * (r + 1);
        c.AllReduce(mean, ReduceOp.Mean);
        var max = torch.tensor(new long[] { r, -r, 7 });
        c.AllReduce(max, ReduceOp.Max);
        var half = torch.full(3, r + 0.5, dtype: ScalarType.Float16);
        c.AllReduce(half);
        var gather = c.AllGather(torch.arange(6, dtype: ScalarType.Int32).view(2, 3) + 100 * r);
        saved.Add("c.bcast", bc); saved.Add("c.sum", sum.contiguous()); saved.Add("c.mean", mean);
        saved.Add("c.max", max); saved.Add("c.half", half); saved.Add("c.gather", gather);

        // gather_with_grad: rank q's loss is (q+1)·Σ_j (j+1)·sum(gathered block j), so d/dx_r = (r+1)·Σ_q (q+1)
        var x = torch.full(2, 3, (double)r, dtype: ScalarType.Float32).requires_grad_(true);
        var gathered = GatherWithGrad.Apply(x, c);
        var weights = (torch.arange(w, dtype: ScalarType.Float32) + 1).repeat_interleave(2).view(-1, 1) * (r + 1);
        (gathered * weights).sum().backward();
        saved.Add("gwg.value", gathered.detach()); saved.Add("gwg.grad", x.grad!);

        // DistributedClipLoss on leaf features: the test compares with ClipLoss on the concatenated batch
        torch.manual_seed(500 + r);
        var fi = nn.functional.normalize(torch.randn(B, 5), dim: -1).requires_grad_(true);
        var ft = nn.functional.normalize(torch.randn(B, 5), dim: -1).requires_grad_(true);
        var clip = DistributedClipLoss.Compute(fi, ft, torch.tensor(1 / 0.07f), c);
        clip.backward();
        saved.Add("clip.image", fi.detach()); saved.Add("clip.text", ft.detach());
        saved.Add("clip.loss", clip.detach()); saved.Add("clip.grad_image", fi.grad!); saved.Add("clip.grad_text", ft.grad!);
    }

    // Data parallel: broadcast, one CLIPS loss and gradient all-reduce, then a few AdamW steps.
    private static void CheckTraining(ICollectives c, Dictionary<string, Tensor> saved)
    {
        int r = c.Rank;

        // data parallel: different init per rank, then broadcast from rank 0
        torch.manual_seed(1000 + r);
        var model = new DistSelfTestModel();
        foreach (var (k, v) in model.state_dict()) saved.Add("init." + k, v.detach().clone());
        DataParallel.BroadcastParameters(model, c);
        foreach (var (k, v) in model.state_dict()) saved.Add("param." + k, v.detach().clone());

        // one CLIPS loss/gradient, tiny buckets so several are used
        var (xi, xw, xp, y) = DistSelfTestModel.Batch(2000 + r, B);
        var f = model.Forward(xi, xw, xp);
        var parts = DistributedClipsLoss.Compute(new ClipsLoss(), f.Image, f.Web, f.Partial, f.Scale, f.Logits, y, c);
        parts.Total.backward();
        var stats = DataParallel.AllReduceGradients(model.parameters(), c, bucketBytes: 64);
        foreach (var (k, v) in new (string, Tensor)[] { ("x_image", xi), ("x_web", xw), ("x_partial", xp), ("targets", y) }) saved.Add("batch." + k, v);
        foreach (var (k, v) in new (string, Tensor)[] { ("clip_web", parts.ClipWeb), ("clip_partial", parts.ClipPartial), ("caption", parts.Caption), ("total", parts.Total) })
            saved.Add("loss." + k, v.detach());
        foreach (var (k, p) in model.named_parameters()) saved.Add("grad." + k, p.grad!.clone());
        saved.Add("grad_buckets", torch.tensor(stats.Buckets));

        // Steps data-parallel AdamW steps with batch B per rank
        var opt = torch.optim.AdamW(model.parameters(), lr: 0.01, weight_decay: 0.1);
        for (int s = 0; s < Steps; s++)
        {
            using var scope = torch.NewDisposeScope();
            opt.zero_grad();
            var (si, sw, sp, sy) = DistSelfTestModel.Batch(3000 + 100 * s + r, B);
            var sf = model.Forward(si, sw, sp);
            DistributedClipsLoss.Compute(new ClipsLoss(), sf.Image, sf.Web, sf.Partial, sf.Scale, sf.Logits, sy, c).Total.backward();
            DataParallel.AllReduceGradients(model.parameters(), c);
            opt.step();
            foreach (var (k, v) in new (string, Tensor)[] { ("x_image", si), ("x_web", sw), ("x_partial", sp), ("targets", sy) })
                saved.Add($"step{s}.{k}", v.MoveToOuterDisposeScope());
        }
        foreach (var (k, v) in model.state_dict()) saved.Add("final." + k, v.detach().clone());
    }
}

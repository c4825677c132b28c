using System.Diagnostics;
using ClipSharp.Core;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace ClipSharp.Tests.Training;

/// <summary>
/// The TorchSharp 0.107 Scalar finalizer race (see <see cref="Scalars"/>), reproduced: worker threads run
/// <c>a + b</c> — the residual sum the old ResidualAttentionBlock used; TorchSharp passes a temporary alpha = 1 Scalar — while another thread forces GCs and runs the
/// finalizers. a is float32 and b float64, so libtorch first converts b (milliseconds, for 2 M elements) and only
/// then reads alpha in the kernel: a wide window for the finalizer to free it. With the kept-alive
/// <see cref="Scalars.One"/> the same loop never fails (asserted; the reproduction itself is logged, not asserted, as
/// it depends on timing: once in a full-suite run it did not show in 1,088 calls). Measured on the shared 2-core dev box: the unfixed call
/// failed within 0.1–3 s in 8 of 8 runs (about 1 call in 50 once TorchSharp's methods are tiered up). It runs alone
/// (its own non-parallel collection) so other tests do not starve the race of CPU.
/// </summary>
[Collection(nameof(ScalarFinalizerRaceTests))]
public sealed class ScalarFinalizerRaceTests(ITestOutputHelper output)
{
    private const int Elements = 1 << 21;

    private (int Failures, int Calls, string? First) Hammer(Func<Tensor, Tensor, Tensor> op, TimeSpan budget, bool stopAtFirst)
    {
        int failures = 0, calls = 0;
        string? first = null;
        using var a = torch.ones(Elements, dtype: ScalarType.Float32);
        using var b = torch.full(Elements, 2.0, dtype: ScalarType.Float64);
        // Tier-0 code keeps every local alive to the end of the method; the race needs TorchSharp's methods
        // re-jitted optimised (tiered compilation: ~30 calls, then a background compile), so warm up on small tensors.
        using (var sa = torch.ones(8)) using (var sb = torch.ones(8, dtype: ScalarType.Float64))
            for (int round = 0; round < 3; round++)
            {
                for (int i = 0; i < 200; i++) op(sa, sb).Dispose();
                Thread.Sleep(150);
            }
        var clock = Stopwatch.StartNew();
        bool Done() => clock.Elapsed > budget || (stopAtFirst && Volatile.Read(ref failures) > 0);
        var gc = new Thread(() =>
        {
            while (!Done())
            {
                GC.Collect(0, GCCollectionMode.Forced, blocking: true); // the temporaries are young: gen 0 is enough, and fast
                GC.WaitForPendingFinalizers();
            }
        });
        var workers = Enumerable.Range(0, 2).Select(_ => new Thread(() =>
        {
            while (!Done())
            {
                try
                {
                    using var r = op(a, b);
                    // 1 + 1·2 = 3 everywhere; a wrong alpha read from freed memory changes it.
                    using var r0 = r[0];
                    if (r0.item<double>() != 3.0) { Interlocked.Increment(ref failures); first ??= "wrong value"; }
                }
                catch (Exception e) // libtorch errors arrive as ExternalException; anything else also fails the check
                {
                    Interlocked.Increment(ref failures);
                    first ??= $"{clock.Elapsed.TotalSeconds:F2} s: {e.GetType().Name}: {e.Message.Split('\n')[0]}";
                }
                Interlocked.Increment(ref calls);
            }
        })).ToList();
        gc.Start();
        workers.ForEach(w => w.Start());
        workers.ForEach(w => w.Join());
        gc.Join();
        return (failures, calls, first);
    }

    [Fact]
    public void ImplicitAlphaIsFreedMidCall_KeptAliveAlphaIsNot()
    {
        var broken = Hammer((a, b) => a + b, TimeSpan.FromSeconds(7), stopAtFirst: true);
        output.WriteLine($"a + b: {broken.Failures} failures in {broken.Calls} calls; first: {broken.First}");
        var fixedRun = Hammer((a, b) => a.add(b, Scalars.One), TimeSpan.FromSeconds(2), stopAtFirst: false);
        output.WriteLine($"a.add(b, Scalars.One): {fixedRun.Failures} failures in {fixedRun.Calls} calls; first: {fixedRun.First}");
        // The reproduction is evidence, not the contract: the race is a matter of timing and did not show once in a
        // full-suite run (1,088 calls). What must hold every time is that the kept-alive form never fails; the IL scan in
        // ScalarLifetimeTests is the deterministic guard against temporaries coming back.
        if (broken.Failures == 0) output.WriteLine("the race did not show this time, so this run says nothing about the unfixed form");
        Assert.Equal(0, fixedRun.Failures);
    }
}

/// <summary>Runs <see cref="ScalarFinalizerRaceTests"/> without other tests in parallel.</summary>
[CollectionDefinition(nameof(ScalarFinalizerRaceTests), DisableParallelization = true)]
public sealed class ScalarFinalizerRaceCollection;

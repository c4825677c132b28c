using ClipSharp.Core;
using ClipSharp.Training.Recipes;

namespace ClipSharp.Training.Schedules;

/// <summary>Learning-rate schedules, a pure function of the step (so resume needs only the step number).</summary>
public sealed record LrSchedule(string Kind, double BaseLr, long TotalSteps, long WarmupSteps, long CooldownSteps = 0, double MinLr = 0)
{
    /// <summary>Builds the schedule a recipe names; validates the step counts.</summary>
    public static LrSchedule From(ScheduleRecipe s, double baseLr)
    {
        if (s.TotalSteps <= 0) throw new ClipSharpException($"schedule.total_steps must be positive, got {s.TotalSteps}.");
        if (s.WarmupSteps < 0 || s.WarmupSteps > s.TotalSteps)
            throw new ClipSharpException($"schedule.warmup_steps must be in [0, total_steps], got {s.WarmupSteps}.");
        var kind = s.Kind.Trim().ToLowerInvariant();
        if (kind is not ("cosine" or "constant" or "const-cooldown"))
            throw new ClipSharpException($"Unknown schedule.kind \"{s.Kind}\"; expected cosine, constant or const-cooldown.");
        if (kind == "const-cooldown" && (s.CooldownSteps <= 0 || s.CooldownSteps > s.TotalSteps - s.WarmupSteps))
            throw new ClipSharpException($"schedule.cooldown_steps must be in [1, total_steps - warmup_steps] for const-cooldown, got {s.CooldownSteps}.");
        return new LrSchedule(kind, baseLr, s.TotalSteps, s.WarmupSteps, s.CooldownSteps, s.MinLr);
    }

    /// <summary>
    /// lr at 0-based step t. Warmup (OpenCLIP): base·(t+1)/warmup for t &lt; warmup. Then, with e = t − warmup and
    /// n = total − warmup: cosine: min + ½(1 + cos(π·e/n))·(base − min); constant: base; const-cooldown: base until
    /// the last `cooldown` steps, then linear to min_lr.
    /// </summary>
    public double At(long step)
    {
        if (step < WarmupSteps) return BaseLr * (step + 1) / WarmupSteps;
        long e = step - WarmupSteps, n = Math.Max(1, TotalSteps - WarmupSteps);
        return Kind switch
        {
            "cosine" => MinLr + 0.5 * (1 + Math.Cos(Math.PI * Math.Min(e, n) / n)) * (BaseLr - MinLr),
            "constant" => BaseLr,
            "const-cooldown" => CooldownAt(step),
            _ => throw new InvalidOperationException(Kind),
        };
    }

    double CooldownAt(long step)
    {
        var start = TotalSteps - CooldownSteps;
        if (step < start) return BaseLr;
        var frac = Math.Min(1.0, (double)(step - start + 1) / CooldownSteps);
        return BaseLr + (MinLr - BaseLr) * frac;
    }
}

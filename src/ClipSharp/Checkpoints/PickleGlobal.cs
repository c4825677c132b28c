namespace ClipSharp.Checkpoints;

/// <summary>A `module.name` reference read by GLOBAL / STACK_GLOBAL; only whitelisted names ever become one.</summary>
internal sealed record PickleGlobal(string Module, string Name)
{
    public override string ToString() => $"{Module}.{Name}";
}

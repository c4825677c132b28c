using System.Reflection;
using System.Reflection.Emit;
using ClipSharp.Core;
using TorchSharp;

namespace ClipSharp.Tests.Training;

/// <summary>
/// Guards the rule of <see cref="Scalars"/> in the hot paths (model forwards, losses, optimizer): their compiled IL
/// must not convert a number to a TorchSharp Scalar implicitly (Scalar.op_Implicit), nor call a TorchSharp method that
/// makes a temporary Scalar itself (found by scanning TorchSharp's IL, transitively: <c>a + b</c>, <c>add(Tensor)</c>,
/// <c>arange(n)</c>, <c>k * x</c>, ...). Explicit <c>ToScalar()</c> is allowed: IL cannot tell whether its result sits
/// in a <c>using</c> local, so that part of the rule is left to review. Virtual calls inside TorchSharp are followed
/// to the declared method only.
/// </summary>
public sealed class ScalarLifetimeTests
{
    private static readonly string[] HotNamespaces =
    [
        "ClipSharp.Modeling", "ClipSharp.Training.Objectives", "ClipSharp.Training.Optim", "ClipSharp.Training.Tasks",
        "ClipSharp.Training.Distributed", "ClipSharp.Evaluation", "ClipSharp.Inference", "ClipSharp.Distributed",
    ];

    private const BindingFlags Declared = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
    private static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes).GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!).ToDictionary(o => o.Value);

    private readonly Dictionary<MethodBase, bool> _makesTemporary = [];

    [Fact]
    public void HotPathsPassNoTemporaryScalarsToLibtorch()
    {
        var offenders = new List<string>();
        // The torch library and its training side (ClipSharp.Training): the hot namespaces span both.
        var assemblies = new[] { typeof(Scalars).Assembly, typeof(ClipSharp.Training.Trainer).Assembly };
        foreach (var type in assemblies.SelectMany(a => a.GetTypes()).Where(t => HotNamespaces.Any(n => t.Namespace?.StartsWith(n, StringComparison.Ordinal) == true)))
            foreach (var method in Methods(type))
                foreach (var callee in Callees(method).Distinct())
                {
                    if (IsImplicitToScalar(callee) || MakesTemporary(callee))
                        offenders.Add($"{type.FullName}.{method.Name} calls {Describe(callee)}");
                    if (BuiltModule(callee) is { } module && ForwardMakesTemporary(module))
                        offenders.Add($"{type.FullName}.{method.Name} builds {module.Name}, whose forward makes a temporary Scalar");
                }
        Assert.True(offenders.Count == 0, "Temporary TorchSharp Scalars in hot paths (use ClipSharp.Core.Scalars):\n" + string.Join("\n", offenders.Distinct()));
    }

    [Fact]
    public void TheScanFindsTheKnownOffenders()
    {
        // The detector must see what the rule is about, or the test above passes vacuously.
        var tensor = typeof(torch.Tensor);
        Assert.True(MakesTemporary(tensor.GetMethod("op_Addition", [tensor, tensor])!));
        Assert.True(MakesTemporary(tensor.GetMethod("op_Multiply", [typeof(double), tensor])!));
        Assert.True(MakesTemporary(tensor.GetMethod("add", [tensor])!));
        Assert.True(MakesTemporary(typeof(torch).GetMethod("arange", [typeof(Scalar), typeof(torch.ScalarType?), typeof(torch.Device), typeof(bool)])!));
        Assert.False(MakesTemporary(tensor.GetMethod("add", [tensor, typeof(Scalar)])!));
        Assert.False(MakesTemporary(tensor.GetMethod("mul", [typeof(Scalar)])!));
        Assert.Contains(Callees(typeof(ScalarLifetimeTests).GetMethod(nameof(Offender), Declared)!), IsImplicitToScalar);
        Assert.Contains(Callees(typeof(ScalarLifetimeTests).GetMethod(nameof(Offender), Declared)!), MakesTemporary);
    }

    private static torch.Tensor Offender(torch.Tensor x) => x.clamp(0.0, 1.0) + x;

    [Fact]
    public void TheScanFindsModulesWhoseForwardMakesTemporaries()
    {
        // A forward call compiles to the virtual Module<Tensor, Tensor>.forward, so the scan also asks of every TorchSharp
        // module a hot path builds whether its own forward override makes a temporary (BatchNorm2d: num_batches_tracked.add_(1)).
        var build = Callees(typeof(ScalarLifetimeTests).GetMethod(nameof(BuildsBatchNorm), Declared)!).Select(BuiltModule).OfType<Type>().ToList();
        Assert.Contains(build, ForwardMakesTemporary);
        Assert.False(ForwardMakesTemporary(typeof(TorchSharp.Modules.Linear)));
    }

    private static torch.nn.Module BuildsBatchNorm() => torch.nn.BatchNorm2d(4);

    // The TorchSharp module type a call builds (a factory such as nn.BatchNorm2d(...) or a constructor), else null.
    private static Type? BuiltModule(MethodBase m)
    {
        var t = m switch { ConstructorInfo c => c.DeclaringType, MethodInfo mi => mi.ReturnType, _ => null };
        return t is not null && t.Assembly == typeof(Scalar).Assembly && typeof(torch.nn.Module).IsAssignableFrom(t) && !t.IsAbstract ? t : null;
    }

    private bool ForwardMakesTemporary(Type module)
    {
        var forward = module.GetMethod("forward", BindingFlags.Public | BindingFlags.Instance, [typeof(torch.Tensor)]);
        return forward is not null && forward.DeclaringType!.Assembly == typeof(Scalar).Assembly && MakesTemporary(forward);
    }

    private static IEnumerable<MethodBase> Methods(Type t) => t.GetMethods(Declared).Cast<MethodBase>().Concat(t.GetConstructors(Declared));

    private static bool IsImplicitToScalar(MethodBase m) =>
        m.Name == "op_Implicit" && m is MethodInfo mi && mi.ReturnType == typeof(Scalar);

    // True when m (a TorchSharp method) converts a number to a Scalar, directly or through the TorchSharp methods it calls.
    private bool MakesTemporary(MethodBase m)
    {
        if (m.DeclaringType?.Assembly != typeof(Scalar).Assembly || m.DeclaringType == typeof(Scalar)) return false;
        if (_makesTemporary.TryGetValue(m, out var known)) return known;
        _makesTemporary[m] = false; // cycle guard
        bool result = Callees(m).Any(c => IsImplicitToScalar(c) || MakesTemporary(c));
        return _makesTemporary[m] = result;
    }

    private static string Describe(MethodBase m) =>
        $"{m.DeclaringType?.Name}.{m.Name}({string.Join(", ", m.GetParameters().Select(p => p.ParameterType.Name))})";

    // Call targets in m's IL (call, callvirt, newobj, ldftn), decoded with the runtime's opcode table.
    private static IEnumerable<MethodBase> Callees(MethodBase m)
    {
        byte[]? il;
        try { il = m.GetMethodBody()?.GetILAsByteArray(); }
        catch (Exception e) when (e is BadImageFormatException or InvalidOperationException) { yield break; }
        if (il is null) yield break;
        var typeArgs = m.DeclaringType is { IsGenericType: true } dt ? dt.GetGenericArguments() : null;
        var methodArgs = m.IsGenericMethod ? m.GetGenericArguments() : null;
        for (int i = 0; i < il.Length;)
        {
            short value = il[i] == 0xFE ? (short)(0xFE00 | il[i + 1]) : il[i];
            i += il[i] == 0xFE ? 2 : 1;
            var op = OpCodesByValue[value];
            if (op.OperandType == OperandType.InlineMethod)
            {
                MethodBase? target = null;
                try { target = m.Module.ResolveMethod(BitConverter.ToInt32(il, i), typeArgs, methodArgs); }
                catch (ArgumentException) { }
                if (target is not null) yield return target;
            }
            i += op.OperandType switch
            {
                OperandType.InlineNone => 0,
                OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
                OperandType.InlineVar => 2,
                OperandType.InlineI8 or OperandType.InlineR => 8,
                OperandType.InlineSwitch => 4 + 4 * BitConverter.ToInt32(il, i),
                _ => 4,
            };
        }
    }
}

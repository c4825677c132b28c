using System.Reflection;
using Xunit.Sdk;

namespace ClipSharp.Tests.Support;

/// <summary>
/// Theory data (a static member, as [MemberData]) that lives in the read-only shared material (../shared/fixtures):
/// where that folder is missing, every row is reported as skipped with the reason instead of passing unchecked. The
/// member should still yield rows then (config names, or <see cref="Fixtures.SharedMissingRow"/>), so that the skip
/// shows up in the run.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = true)]
public sealed class SharedMemberDataAttribute : MemberDataAttributeBase
{
    public SharedMemberDataAttribute(string memberName) : base(memberName, [])
    {
        if (!Fixtures.SharedPresent) Skip = Fixtures.SharedMissingReason;
    }

    protected override object[] ConvertDataItem(MethodInfo testMethod, object item) =>
        item as object[] ?? throw new ArgumentException($"{MemberName} on {testMethod.DeclaringType?.Name}.{testMethod.Name} yielded {item?.GetType().Name ?? "null"}, not object[]");
}

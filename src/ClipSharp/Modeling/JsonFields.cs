using System.Text.Json;
using ClipSharp.Core;

namespace ClipSharp.Modeling;

/// <summary>Typed, strict access to the properties of one JSON object; errors name the file and the key path.</summary>
internal sealed class JsonFields(JsonElement obj, string source, string prefix)
{
    public string Source { get; } = source;

    public IEnumerable<string> Keys
    {
        get
        {
            var seen = new HashSet<string>();
            foreach (var p in obj.EnumerateObject())
            {
                if (!seen.Add(p.Name)) throw new ClipSharpException($"{Source}: key '{prefix}{p.Name}' appears twice.");
                yield return p.Name;
            }
        }
    }

    private JsonElement Get(string key) => obj.GetProperty(key);

    private ClipSharpException Bad(string key, string want) =>
        new($"{Source}: key '{prefix}{key}' must be {want}, not {Get(key).GetRawText()}.");

    public ClipSharpException Unknown(string key) => new($"{Source}: unknown key '{prefix}{key}'.");

    public int Int(string key)
    {
        var v = Get(key);
        if (v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out var i)) return i;
        if (v.ValueKind == JsonValueKind.Array && v.GetArrayLength() == 2 && v[0].TryGetInt32(out var a) && v[1].TryGetInt32(out var b) && a == b) return a;
        throw Bad(key, "an integer");
    }

    /// <summary>A size (width, layers, heads, patch size, ...): a positive integer.</summary>
    public int PositiveInt(string key) => Int(key) is var i && i > 0 ? i : throw Bad(key, "a positive integer");

    /// <summary>True when the value is a JSON array.</summary>
    public bool IsArray(string key) => Get(key).ValueKind == JsonValueKind.Array;

    /// <summary>A non-empty list of positive integers (a ResNet's blocks per stage).</summary>
    public IReadOnlyList<int> PositiveInts(string key)
    {
        var v = Get(key);
        if (v.ValueKind != JsonValueKind.Array || v.GetArrayLength() == 0) throw Bad(key, "a list of positive integers");
        return v.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.Number && e.TryGetInt32(out var i) && i > 0 ? i : throw Bad(key, "a list of positive integers")).ToArray();
    }

    /// <summary>A positive number (mlp_ratio).</summary>
    public double PositiveDouble(string key) => Double(key) is var d && d > 0 && double.IsFinite(d) ? d : throw Bad(key, "a positive number");

    public double Double(string key)
    {
        var v = Get(key);
        return v.ValueKind == JsonValueKind.Number ? v.GetDouble() : throw Bad(key, "a number");
    }

    public double? NullableDouble(string key) => Get(key).ValueKind == JsonValueKind.Null ? null : Double(key);

    public bool Bool(string key)
    {
        var v = Get(key);
        return v.ValueKind switch { JsonValueKind.True => true, JsonValueKind.False => false, _ => throw Bad(key, "true or false") };
    }

    public string? String(string key)
    {
        var v = Get(key);
        return v.ValueKind switch { JsonValueKind.String => v.GetString(), JsonValueKind.Null => null, _ => throw Bad(key, "a string") };
    }

    public bool IsNull(string key) => Get(key).ValueKind == JsonValueKind.Null;

    public JsonFields Object(string key)
    {
        var v = Get(key);
        if (v.ValueKind != JsonValueKind.Object) throw Bad(key, "an object");
        return new JsonFields(v, Source, $"{prefix}{key}.");
    }

    /// <summary>Accepts an OpenCLIP option ClipSharp does not implement only when it has one of its default values.</summary>
    public T DefaultOnly<T>(string key, T unchanged, params object?[] defaults)
    {
        var v = Get(key);
        foreach (var d in defaults)
        {
            bool same = d switch
            {
                null => v.ValueKind == JsonValueKind.Null,
                bool b => v.ValueKind == (b ? JsonValueKind.True : JsonValueKind.False),
                string s => v.ValueKind == JsonValueKind.String && v.GetString() == s,
                double x => v.ValueKind == JsonValueKind.Number && v.GetDouble() == x,
                int x => v.ValueKind == JsonValueKind.Number && v.GetDouble() == x,
                _ => false,
            };
            if (same) return unchanged;
        }
        throw new ClipSharpException($"{Source}: key '{prefix}{key}' = {v.GetRawText()} is an OpenCLIP option ClipSharp does not support (only its default is accepted).");
    }

    /// <summary>`act_kwargs`: only `approximate` ("none" | "tanh"); returns true for tanh.</summary>
    public bool GeluApproximateTanh(string key)
    {
        if (Get(key).ValueKind == JsonValueKind.Null) return false;
        var o = Object(key);
        bool tanh = false;
        foreach (var k in o.Keys)
        {
            if (k != "approximate") throw o.Unknown(k);
            tanh = o.String(k) switch { "tanh" => true, "none" or null => false, var s => throw new ClipSharpException($"{Source}: {prefix}{key}.approximate must be \"none\" or \"tanh\", not \"{s}\".") };
        }
        return tanh;
    }

    /// <summary>`norm_kwargs`: only `eps`.</summary>
    public double? NormEps(string key)
    {
        if (Get(key).ValueKind == JsonValueKind.Null) return null;
        var o = Object(key);
        double? eps = null;
        foreach (var k in o.Keys)
        {
            if (k != "eps") throw o.Unknown(k);
            eps = o.Double(k);
        }
        return eps;
    }
}

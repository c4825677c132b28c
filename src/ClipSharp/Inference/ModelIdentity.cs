using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ClipSharp.Core;
using static TorchSharp.torch;

namespace ClipSharp.Inference;

/// <summary>
/// What makes two pipelines embed alike: the weights (SHA-256 over every state-dict entry's name, dtype, shape and
/// bytes, in name order), the architecture config, the image preprocessing and the tokenizer (its kind, layout and
/// every id's text). An <see cref="EmbeddingIndex"/> records the identity of the model that built it, so that a query
/// or an update with another model is caught instead of returning meaningless neighbours.
/// </summary>
public sealed record ModelIdentity(string Name, string Weights, string Config, string Preprocess, string Tokenizer)
{
    /// <summary>The identity of a loaded pipeline (hashes every weight once: ~1 s per GB).</summary>
    public static ModelIdentity Of(ClipPipeline pipeline)
    {
        var tok = pipeline.Tokenizer;
        return new ModelIdentity(pipeline.Name, WeightsHash(pipeline), Sha(JsonSerializer.Serialize(pipeline.Model.Config)),
            pipeline.Transform.Config.ToJson(), TokenizerHash(tok));
    }

    /// <summary>The fields that differ from <paramref name="other"/> (empty when the two embed alike).</summary>
    public IReadOnlyList<string> Differences(ModelIdentity other)
    {
        var d = new List<string>();
        if (Weights != other.Weights) d.Add($"weights (sha256 {Short(Weights)} vs {Short(other.Weights)})");
        if (Config != other.Config) d.Add("architecture config");
        if (Preprocess != other.Preprocess) d.Add($"image preprocessing ({Preprocess} vs {other.Preprocess})");
        if (Tokenizer != other.Tokenizer) d.Add("tokenizer");
        return d;
    }

    /// <summary>Reads the identity stored at <paramref name="path"/>; a broken file is an error naming it.</summary>
    public static ModelIdentity Read(string path)
    {
        try
        {
            return JsonSerializer.Deserialize<ModelIdentity>(File.ReadAllText(path), JsonOptions)
                   ?? throw new ClipSharpException($"{path}: empty model identity.");
        }
        catch (JsonException e) { throw new ClipSharpException($"{path}: not a model identity file ({e.Message})."); }
    }

    /// <summary>Writes the identity as JSON (atomically).</summary>
    public void Write(string path)
    {
        File.WriteAllText(path + ".tmp", JsonSerializer.Serialize(this, JsonOptions));
        File.Move(path + ".tmp", path, overwrite: true);
    }

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower, WriteIndented = true, RespectRequiredConstructorParameters = true,
    };

    private static string Short(string hash) => hash.Length > 12 ? hash[..12] : hash;

    private static string Sha(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    private static string WeightsHash(ClipPipeline pipeline)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        using var scope = NewDisposeScope();
        foreach (var (name, t) in pipeline.Model.state_dict().OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            sha.AppendData(Encoding.UTF8.GetBytes($"{name}|{t.dtype}|{string.Join(",", t.shape)}|"));
            using var cpu = t.detach().to(CPU).contiguous();
            sha.AppendData(cpu.bytes);
        }
        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }

    private static string TokenizerHash(Text.ITextTokenizer tok)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        sha.AppendData(Encoding.UTF8.GetBytes($"{tok.GetType().Name}|{tok.ContextLength}|{tok.VocabSize}|{tok.BosId}|{tok.EosId}|{tok.PadId}|"));
        for (long id = 0; id < tok.VocabSize; id++)
            sha.AppendData(Encoding.UTF8.GetBytes(tok.Decode([id]) + "\n"));
        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }
}

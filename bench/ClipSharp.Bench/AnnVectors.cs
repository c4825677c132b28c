using System.Numerics.Tensors;
using ClipSharp.Inference;
using ClipSharp.Scenes;

namespace ClipSharp.Bench;

/// <summary>
/// Where an ANN benchmark's vectors come from: their width, the index rows in order (from, count), the queries, and
/// the cache folder's name (one exact index per source). Synthetic sources are reproducible from the row count; the
/// world source embeds the built-in world with a trained model.
/// </summary>
internal sealed record AnnVectors(int Dim, Func<int, int, IReadOnlyList<float[]>> Rows, Func<int, float[][]> Queries, string Key)
{
    /// <summary>The environment variable naming the run folder whose model embeds the world rows.</summary>
    public const string ModelVariable = "CLIPSHARP_BENCH_ANN_MODEL";

    private const int SyntheticDim = 512;

    /// <summary>"lowrank" (near a random 32-d subspace plus noise), "uniform" (uniform on the sphere) or "world".</summary>
    public static AnnVectors For(string dist, int rows) => dist == "world" ? World(rows) : Synthetic(dist, rows);

    private static AnnVectors Synthetic(string dist, int rows)
    {
        var rng = new Random(rows + dist.Length);
        var basis = Enumerable.Range(0, 32).Select(_ => Uniform(rng)).ToArray();
        float[] Next() => dist == "uniform" ? Uniform(rng) : LowRank(rng, basis);
        return new(SyntheticDim, (_, n) => Enumerable.Range(0, n).Select(_ => Next()).ToList(),
            count => { rng = new Random(-rows); return Enumerable.Range(0, count).Select(_ => Next()).ToArray(); },   // the same distribution, not rows
            $"{dist}-{rows}");
    }

    // Rows: image embeddings of the world's training scenes 0.. (seed 0, the quickstart's world config), rendered as the
    // generator renders them (64 px JPEG); queries: text embeddings of the eval set's first human-style captions (one
    // per eval image), so a query's neighbours are images that fit a caption, as in a photo search.
    private static AnnVectors World(int rows)
    {
        var model = Environment.GetEnvironmentVariable(ModelVariable);
        if (string.IsNullOrEmpty(model) || !Directory.Exists(model))
            throw new InvalidOperationException($"The world rows need {ModelVariable}=RUN_FOLDER, a model trained on the built-in world (e.g. runs/quickstart/clips); got '{model}'.");
        var pipeline = ClipPipeline.Load(model, new ClipPipelineOptions { BatchSize = 1024 });
        var samples = new WorldSamples(WorldConfig.Default, 0);
        var size = new WorldGenerationOptions("-").ImageSize;
        IReadOnlyList<float[]> Rows(int from, int n)
        {
            var jpegs = new byte[n][];
            Parallel.For(0, n, () => new SceneRenderer(size, samples.Config.JpegQuality),
                (i, _, r) => { jpegs[i] = r.Encode(samples.Train(from + i).Scene, ImageFormat.Jpeg); return r; }, r => r.Dispose());
            return pipeline.EncodeImages(jpegs);
        }
        float[][] Queries(int count) => pipeline.EncodeTexts(Enumerable.Range(0, count).Select(i => samples.Eval(i).Captions[0].Text).ToList());
        var key = $"world-{rows}-{Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(Path.GetFullPath(model))))[..8]}";
        return new(pipeline.EmbeddingDim, Rows, Queries, key);
    }

    private static float[] Uniform(Random rng)
    {
        var v = new float[SyntheticDim];
        for (int k = 0; k < SyntheticDim; k++) v[k] = (float)(rng.NextDouble() * 2 - 1);
        TensorPrimitives.Divide(v, TensorPrimitives.Norm(v), v);
        return v;
    }

    // normalize(A z + 0.1 e): z (32) and e (512) standard normal, A's columns the shared random basis
    private static float[] LowRank(Random rng, float[][] basis)
    {
        var v = new float[SyntheticDim];
        for (int k = 0; k < SyntheticDim; k++) v[k] = 0.1f * Gauss(rng);
        foreach (var b in basis) TensorPrimitives.MultiplyAdd(b, Gauss(rng), v, v);
        TensorPrimitives.Divide(v, TensorPrimitives.Norm(v), v);
        return v;
    }

    private static float Gauss(Random rng) => (float)(Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble()));
}

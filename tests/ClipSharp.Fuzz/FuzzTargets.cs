using ClipSharp.Fuzz.Targets;

namespace ClipSharp.Fuzz;

/// <summary>Every reader that takes untrusted bytes, by target name.</summary>
public static class FuzzTargets
{
    /// <summary>The target names, in the order the tests and `--target all` run them.</summary>
    public static IReadOnlyList<string> Names { get; } =
        ["safetensors", "torchzip", "pickle", "tar", "image", "bpe", "wordpiece", "recipe", "modelconfig"];

    /// <summary>Creates the target <paramref name="name"/>.</summary>
    public static FuzzTarget Create(string name, FuzzPaths paths) => name switch
    {
        "safetensors" => new SafeTensorsTarget(paths),
        "torchzip" => new TorchZipTarget(paths),
        "pickle" => new PickleTarget(paths),
        "tar" => new TarTarget(),
        "image" => new ImageTarget(),
        "bpe" => new TokenizerTarget(paths, wordPiece: false),
        "wordpiece" => new TokenizerTarget(paths, wordPiece: true),
        "recipe" => new JsonConfigTarget(paths, recipe: true),
        "modelconfig" => new JsonConfigTarget(paths, recipe: false),
        _ => throw new ArgumentException($"unknown fuzz target '{name}' (known: {string.Join(", ", Names)})"),
    };
}

using System.Text;
using ClipSharp.Modeling;
using ClipSharp.Training.Recipes;

namespace ClipSharp.Fuzz.Targets;

/// <summary>Recipe JSONC (<see cref="RecipeReader"/>) or model config JSON (<see cref="ModelConfigReader"/>) read from a
/// file, as the CLI reads them. Seeds: the repository's configs/recipes and configs/models.</summary>
public sealed class JsonConfigTarget(FuzzPaths paths, bool recipe) : FuzzTarget
{
    public override string Name => recipe ? "recipe" : "modelconfig";
    public override string Extension => recipe ? ".jsonc" : ".json";
    public override int MaxInputLength => 1 << 16;

    public override IReadOnlyList<byte[]> Dictionary { get; } =
    [
        .. JsonTokens.All,
        .. new[] { "\"model\"", "\"task\"", "\"data\"", "\"optim\"", "\"schedule\"", "\"vision_cfg\"", "\"text_cfg\"", "\"width\"",
            "\"layers\"", "\"patch_size\"", "\"model_cfg\"", "\"preprocess_cfg\"", "\"embed_dim\"", "\"image_size\"" }.Select(Encoding.UTF8.GetBytes),
    ];

    protected override IReadOnlyList<byte[]> MakeSeeds()
    {
        var dir = Path.Combine(paths.RepoRoot, "configs", recipe ? "recipes" : "models");
        return Directory.EnumerateFiles(dir).Order(StringComparer.Ordinal)
            .Where(f => recipe || new FileInfo(f).Length < 4096).Take(8).Select(File.ReadAllBytes).ToList();
    }

    public override long Run(byte[] input, string path)
    {
        if (recipe) _ = RecipeReader.Read(path);
        else _ = ModelConfigReader.ReadFile(path);
        return 0;
    }
}

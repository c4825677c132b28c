using ClipSharp.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace ClipSharp.Modeling;

/// <summary>Builds models from configs and finds the configs shipped in configs/models.</summary>
public static class ModelFactory
{
    /// <summary>Builds the model a config describes (random OpenCLIP init), on <paramref name="device"/> (CPU if null).</summary>
    public static ContrastiveModel Create(ModelConfig config, Device? device = null)
    {
        ContrastiveModel m = config.Kind switch
        {
            ModelKind.Clip => new ClipModel(config),
            ModelKind.CoCa => new CoCaModel(config),
            ModelKind.Clips => new ClipsModel(config),
            _ => throw new ArgumentOutOfRangeException(nameof(config)),
        };
        if (device is not null && device.type != DeviceType.CPU) m.to(device);
        return m;
    }

    /// <summary>Folders searched for `NAME.json`: $CLIPSHARP_CONFIGS, ./configs/models, configs/models beside the binaries.</summary>
    public static IEnumerable<string> ConfigFolders()
    {
        if (Environment.GetEnvironmentVariable("CLIPSHARP_CONFIGS") is { Length: > 0 } env) yield return env;
        yield return Path.Combine(Directory.GetCurrentDirectory(), "configs", "models");
        yield return Path.Combine(AppContext.BaseDirectory, "configs", "models");
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d != null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "ClipSharp.sln"))) { yield return Path.Combine(d.FullName, "configs", "models"); break; }
    }

    /// <summary>Resolves a config by file path or by name (e.g. "ViT-B-32").</summary>
    public static ModelConfigFile LoadConfig(string nameOrPath)
    {
        if (File.Exists(nameOrPath)) return ModelConfigReader.ReadFile(nameOrPath);
        if (Directory.Exists(nameOrPath) && File.Exists(Path.Combine(nameOrPath, "open_clip_config.json")))
            return ModelConfigReader.ReadFile(Path.Combine(nameOrPath, "open_clip_config.json"));
        var tried = new List<string>();
        foreach (var folder in ConfigFolders().Distinct())
        {
            var p = Path.Combine(folder, nameOrPath + ".json");
            tried.Add(folder);
            if (File.Exists(p)) return ModelConfigReader.ReadFile(p);
        }
        throw new ClipSharpException($"Model config '{nameOrPath}' not found (looked for a file, a directory with open_clip_config.json, and {nameOrPath}.json in {string.Join(", ", tried)}).");
    }
}

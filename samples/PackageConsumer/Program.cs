// A .NET app that uses ClipSharp only through its NuGet packages (ClipSharpNet.TorchSharp + ClipSharpNet.Extensions.AI),
// built outside the repository by .ci/package-consumer.sh. Usage: Consumer MODEL_DIR MODEL_CONFIG IMAGE [EMBEDDING_OUT]
// It writes a small randomly initialised CLIPS model folder (so the check needs no download), loads it through the
// dependency-injection registration, embeds IMAGE and a text, and fails unless both are unit vectors of the model's size.
// EMBEDDING_OUT, if given, receives the image embedding (one float per line): samples/PackageConsumer.Onnx compares
// its ONNX Runtime embedding of the exported model with it.
using System.Globalization;
using ClipSharp.Checkpoints;
using ClipSharp.Data.Images;
using ClipSharp.Extensions.AI;
using ClipSharp.Inference;
using ClipSharp.Modeling;
using ClipSharp.Text;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

if (args.Length is < 3 or > 4) { Console.Error.WriteLine("usage: Consumer MODEL_DIR MODEL_CONFIG IMAGE [EMBEDDING_OUT]"); return 2; }
var (dir, config, image) = (args[0], args[1], args[2]);
if (!File.Exists(Path.Combine(dir, "model.safetensors")))
{
    Directory.CreateDirectory(dir);
    TorchSharp.torch.manual_seed(1);
    using var model = ModelFactory.Create(ModelFactory.LoadConfig(config).Model);
    File.WriteAllText(Path.Combine(dir, "open_clip_config.json"),
        $"{{\"model_cfg\": {File.ReadAllText(config)}, \"preprocess_cfg\": {PreprocessConfig.Clips(64).ToJson()}}}");
    SafeTensorsWriter.Save(Path.Combine(dir, "model.safetensors"), model.state_dict());
    WordPieceVocabulary.Build(["a", "photo", "of", "red", "circle"]).Save(Path.Combine(dir, "vocab.txt"));
}

var services = new ServiceCollection().AddClipSharpEmbeddings(_ => ClipPipeline.Load(dir));
await using var sp = services.BuildServiceProvider();
var images = sp.GetRequiredService<IEmbeddingGenerator<DataContent, Embedding<float>>>();
var texts = sp.GetRequiredService<IEmbeddingGenerator<string, Embedding<float>>>();
var meta = images.GetService<EmbeddingGeneratorMetadata>()!;
var img = (await images.GenerateAsync([new DataContent(File.ReadAllBytes(image), "image/png")]))[0];
var txt = await texts.GenerateVectorAsync("a red circle");
double Norm(ReadOnlySpan<float> v) { double s = 0; foreach (var x in v) s += (double)x * x; return Math.Sqrt(s); }
double cos = 0;
for (int i = 0; i < txt.Length; i++) cos += img.Vector.Span[i] * txt.Span[i];
Console.WriteLine($"consumer: {meta.ProviderName} model {meta.DefaultModelId}: image {img.Dimensions} dims |v|={Norm(img.Vector.Span):F5}, " +
                  $"text |v|={Norm(txt.Span):F5}, cosine {cos:F4}");
bool ok = img.Dimensions == meta.DefaultModelDimensions && Math.Abs(Norm(img.Vector.Span) - 1) < 1e-4 && Math.Abs(Norm(txt.Span) - 1) < 1e-4;
if (args.Length == 4)
    File.WriteAllLines(args[3], img.Vector.ToArray().Select(x => x.ToString("R", CultureInfo.InvariantCulture)));
Console.WriteLine(ok ? "consumer: OK" : "consumer: FAILED");
return ok ? 0 : 1;

// A .NET app that embeds with ClipSharp on ONNX Runtime only through its NuGet packages (ClipSharpNet.Onnx +
// ClipSharpNet.Extensions.AI; no TorchSharp, no libtorch), built outside the repository by .ci/package-consumer.sh.
// Usage: Consumer EXPORT_DIR MODEL_CONFIG IMAGE REFERENCE_EMBEDDING
// EXPORT_DIR is `clipsharp export onnx` of the torch consumer's model; REFERENCE_EMBEDDING the image embedding that
// the torch consumer (samples/PackageConsumer) wrote for the same IMAGE, one float per line. It loads the export
// through the dependency-injection registration, embeds IMAGE and a text, and fails unless the ONNX Runtime image
// embedding equals the TorchSharp one (max |diff| <= 1e-5, cosine >= 0.9999) and both vectors are unit vectors.
using System.Globalization;
using ClipSharp.Extensions.AI;
using ClipSharp.Onnx;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

if (args.Length != 4) { Console.Error.WriteLine("usage: Consumer EXPORT_DIR MODEL_CONFIG IMAGE REFERENCE_EMBEDDING"); return 2; }
var (dir, image, referencePath) = (args[0], args[2], args[3]);
if (!File.Exists(referencePath)) { Console.Error.WriteLine($"{referencePath}: the torch consumer's embedding is missing"); return 2; }
float[] reference = File.ReadAllLines(referencePath).Where(l => l.Length > 0)
    .Select(l => float.Parse(l, CultureInfo.InvariantCulture)).ToArray();

var services = new ServiceCollection().AddClipSharpEmbeddings(_ => OnnxClipPipeline.Load(dir));
await using var sp = services.BuildServiceProvider();
var images = sp.GetRequiredService<IEmbeddingGenerator<DataContent, Embedding<float>>>();
var texts = sp.GetRequiredService<IEmbeddingGenerator<string, Embedding<float>>>();
var meta = images.GetService<EmbeddingGeneratorMetadata>()!;
var img = (await images.GenerateAsync([new DataContent(File.ReadAllBytes(image), "image/png")]))[0].Vector.ToArray();
var txt = (await texts.GenerateVectorAsync("a red circle")).ToArray();

double Norm(float[] v) => Math.Sqrt(v.Sum(x => (double)x * x));
double Dot(float[] a, float[] b) => a.Zip(b, (x, y) => (double)x * y).Sum();
bool sameSize = img.Length == reference.Length && img.Length == meta.DefaultModelDimensions && txt.Length == img.Length;
double maxDiff = sameSize ? img.Zip(reference, (x, y) => Math.Abs((double)x - y)).Max() : double.NaN;
double cosine = sameSize ? Dot(img, reference) / (Norm(img) * Norm(reference)) : double.NaN;
Console.WriteLine($"consumer-onnx: {meta.ProviderName} model {meta.DefaultModelId} on ONNX Runtime: image {img.Length} dims " +
                  $"|v|={Norm(img):F5}, text |v|={Norm(txt):F5}, image-text cosine {(sameSize ? Dot(img, txt) : double.NaN):F4}");
Console.WriteLine($"consumer-onnx: vs the TorchSharp embedding of the same image ({reference.Length} dims): " +
                  $"max |diff| {maxDiff:E2} (<= 1e-5), cosine {cosine:F7} (>= 0.9999)");
bool ok = sameSize && maxDiff <= 1e-5 && cosine >= 0.9999 && Math.Abs(Norm(img) - 1) < 1e-4 && Math.Abs(Norm(txt) - 1) < 1e-4;
Console.WriteLine(ok ? "consumer-onnx: OK" : "consumer-onnx: FAILED");
return ok ? 0 : 1;

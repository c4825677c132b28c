// Writes a run folder's description (open_clip_config.json, vocab.txt, tokenizer files) the way training does, and
// prints ClipSharp's token ids for a few captions, for openclip_local_dir.py to compare with OpenCLIP's HFTokenizer.
//   dotnet run tests/fixture-gen/write_run_folder.cs -- OUT_DIR MODEL_JSON VOCAB_TXT|world > OUT_DIR.clipsharp.json
// ("world": the built-in world's own vocabulary)
#:project ../../src/ClipSharp/ClipSharp.csproj
#:property PublishAot=false
using System.Text.Json;
using ClipSharp.Modeling;
using ClipSharp.Scenes;
using ClipSharp.Text;
using ClipSharp.Training.Recipes;
using ClipSharp.Training.Runs;

var (outDir, modelJson, vocab) = (args[0], args[1], args[2]);
if (vocab == "world") WorldVocabulary.Write(vocab = Path.Combine(Path.GetTempPath(), "clipsharp-world-vocab.txt"));
var recipe = RecipeReader.Parse(JsonSerializer.Serialize(new { name = "interop", model = modelJson }), "inline");
var model = ModelFactory.LoadConfig(modelJson);
new RunDirectory(outDir).WriteDescription(recipe, model, RunDirectory.Preprocess(model), vocab);
var cfg = ModelFactory.LoadConfig(outDir).Model.Text;
var tok = TokenizerFactory.Create(new TokenizerSpec(cfg.HfTokenizerName, outDir, cfg.ContextLength) { TokenizerMode = cfg.TokenizerMode });
string[] captions = ["a red circle above a blue square.", "Two  DOGS &amp; a cat\u2019s toy", "caf\u00c3\u00a9 \u001b[31mred\u001b[0m"];
Console.WriteLine(JsonSerializer.Serialize(captions.Select(c => new { text = c, ids = tok.Encode(c) })));

using System.CommandLine;
using ClipSharp.Checkpoints;

namespace ClipSharp.Cli.Commands;

/// <summary>`clipsharp convert in.bin|in.pt [--out out.safetensors] [--dtype f32|f16|bf16]`.</summary>
public static class ConvertCommand
{
    public static Command Create()
    {
        var input = new Argument<string>("checkpoint") { Description = "A PyTorch checkpoint (.bin/.pt, torch.save zip) or a safetensors file." };
        var output = new Option<string?>("--out") { Description = "Output path (default: the input with extension .safetensors)." };
        var dtype = new Option<string?>("--dtype") { Description = "Cast floating-point tensors to f32, f16 or bf16 (default: keep)." };
        var force = new Option<bool>("--force") { Description = "Overwrite an existing output file." };
        var cmd = new Command("convert", "Convert a PyTorch/OpenCLIP checkpoint to safetensors without executing its pickle.");
        cmd.Arguments.Add(input);
        cmd.Options.Add(output);
        cmd.Options.Add(dtype);
        cmd.Options.Add(force);
        cmd.SetAction(r =>
        {
            var d = r.GetValue(dtype) is { } text ? CheckpointConverter.ParseDType(text) : (TorchSharp.torch.ScalarType?)null;
            var res = CheckpointConverter.ToSafeTensors(r.GetValue(input)!, r.GetValue(output), d, r.GetValue(force));
            Console.WriteLine($"wrote {res.Output}: {res.TensorCount} tensors, {res.ParameterCount:N0} parameters, {res.Bytes:N0} bytes");
            return 0;
        });
        return cmd;
    }
}

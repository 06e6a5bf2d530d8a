using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using CloudAnon.TestSupport;

namespace CloudAnon.Core.Tests.Engine;

/// <summary>
/// dciodvfy's errors on a corpus file and on the engine's output of it. The first request starts every well-formed file,
/// one file per core at a time (its engine run, then dciodvfy on input and output side by side), so the per-file tests
/// that follow find their results ready.
/// </summary>
internal static partial class DciodvfyComparison
{
    internal sealed record Result(IReadOnlyList<string> NewErrors, int InputErrors, int OutputErrors, DeidentificationFailure? Refusal)
    {
        public override string ToString() => Refusal is { } refusal
            ? $"refused: {refusal}"
            : $"dciodvfy error lines: input {InputErrors}, output {OutputErrors}, new {NewErrors.Count}";
    }

    private static readonly SemaphoreSlim Slots = new(Environment.ProcessorCount);
    private static readonly Lazy<ConcurrentDictionary<string, Task<Result>>> All = new(StartAll);

    public static Task<Result> OfAsync(string relativePath) => All.Value[relativePath];

    private static ConcurrentDictionary<string, Task<Result>> StartAll() =>
        new(Corpus.WellFormed.Select(file => KeyValuePair.Create(file.RelativePath, Task.Run(() => CompareAsync(file)))));

    private static async Task<Result> CompareAsync(CorpusFile file)
    {
        // A slot covers the engine run as well, so at most a few files' bytes are held at a time.
        await Slots.WaitAsync();
        try
        {
            byte[] input = await File.ReadAllBytesAsync(file.FullPath);
            byte[] output;
            try
            {
                using var dicom = await EngineHarness.ReadAsync(input);
                // Publishers de-identified some corpus files already; they are processed again, as the pipeline does by default.
                (_, output) = await new EngineHarness(allowAlreadyDeidentified: true).RunAsync(dicom);
            }
            catch (DeidentificationException e)
            {
                return new Result([], 0, 0, e.Failure);
            }

            var before = Task.Run(() => Errors(input, file.IsDeflated));
            var after = Task.Run(() => Errors(output, file.IsDeflated));
            var (inputErrors, outputErrors) = (await before, await after);
            return new Result([.. outputErrors.Except(inputErrors).Order(StringComparer.Ordinal)], inputErrors.Count, outputErrors.Count, null);
        }
        finally
        {
            Slots.Release();
        }
    }

    /// <summary>dciodvfy's error lines, normalised so that the same error on a replaced value reads the same.</summary>
    public static HashSet<string> Errors(byte[] content, bool deflated)
    {
        string directory = Directory.CreateTempSubdirectory("cloudanon-dciodvfy-").FullName;
        try
        {
            string path = Path.Combine(directory, "file.dcm");
            File.WriteAllBytes(path, content);
            if (deflated)
            {
                // dciodvfy cannot read the Deflated transfer syntax: validate the same data set in Explicit VR Little Endian.
                string inflated = Path.Combine(directory, "inflated.dcm");
                var conversion = ExternalTool.Run("dcmconv", "-q", "+te", path, inflated);
                if (conversion.ExitCode != 0) throw new InvalidOperationException($"dcmconv +te failed: {conversion.StandardError}");
                path = inflated;
            }
            var result = ExternalTool.Run("dciodvfy", path);
            return [.. (result.StandardOutput + "\n" + result.StandardError).Split('\n')
                .Where(line => line.StartsWith("Error", StringComparison.Ordinal))
                .Select(Normalise)];
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>Masks values, the offending character of a bad value, and UIDs; keeps tags, attribute names, modules, counts.</summary>
    internal static string Normalise(string line) =>
        Uid().Replace(BadCharacter().Replace(AngleValue().Replace(QuotedValue().Replace(line.TrimEnd('\r'), "\"<value>\""), "= <value>"), "$1"), "<uid>");

    [GeneratedRegex("\"[^\"]*\"")]
    private static partial Regex QuotedValue();

    [GeneratedRegex("= <[^>]*>")]
    private static partial Regex AngleValue();

    [GeneratedRegex("(Character invalid for this VR) = '.*' \\(0x[0-9a-f]+\\)")]
    private static partial Regex BadCharacter();

    // Dotted UIDs anywhere, and whatever value follows an attribute named ...UID (an input's invalid "0" included).
    [GeneratedRegex(@"\b\d+(\.\d+){2,}\b|(?<=UID )[0-9.]+")]
    private static partial Regex Uid();
}

using System.Text.RegularExpressions;
using CloudAnon.Dicom;
using CloudAnon.TestSupport;

namespace CloudAnon.Pixels.Tests;

/// <summary>The frames of a file as our decoder reads them, and what DCMTK and dciodvfy say about a file.</summary>
internal static partial class Oracles
{
    public static async Task<PixelFrames> ReadFramesAsync(string path)
    {
        await using var stream = File.OpenRead(path);
        using var file = await DicomFile.OpenAsync(stream);
        return await PixelFrames.ReadAsync(file.Dataset, file.TransferSyntax, ImagePixelModule.Read(file.Dataset), 1L << 30, CancellationToken.None);
    }

    public static async Task<(DicomDataset Dataset, string TransferSyntax)> ReadHeaderAsync(string path)
    {
        await using var stream = File.OpenRead(path);
        using var file = await DicomFile.OpenAsync(stream);
        return (file.Dataset, file.TransferSyntax.Uid);
    }

    /// <summary>DCMTK's decompression of <paramref name="path"/> (dcmdjpeg or dcmdrle) to Explicit VR Little Endian, for bit-exact comparisons.</summary>
    public static string DcmtkDecompress(string path, string tool, string directory)
    {
        string output = Path.Combine(directory, Path.GetFileNameWithoutExtension(path) + "." + tool + ".dcm");
        var result = ExternalTool.Run(tool, path, output);
        Assert.True(result.ExitCode == 0, $"{tool} failed: {result.StandardError}");
        return output;
    }

    public static void AssertDcmdumpReads(string path)
    {
        var result = ExternalTool.Run("dcmdump", "-q", path);
        Assert.True(result.ExitCode == 0 && !result.StandardError.Contains("E: ", StringComparison.Ordinal), $"dcmdump: {result.StandardError}");
    }

    /// <summary>dciodvfy's error and warning lines, with the values it quotes removed so inputs and outputs compare by kind.</summary>
    public static HashSet<string> DciodvfyFindings(string path)
    {
        // dciodvfy cannot read deflated data sets: it reads DCMTK's inflated copy.
        var (_, syntax) = ReadHeaderAsync(path).GetAwaiter().GetResult();
        if (syntax == "1.2.840.10008.1.2.1.99")
        {
            string inflated = path + ".inflated.dcm";
            Assert.Equal(0, ExternalTool.Run("dcmconv", "+te", path, inflated).ExitCode);
            path = inflated;
        }
        var result = ExternalTool.Run("dciodvfy", "-new", path);
        return [.. (result.StandardOutput + result.StandardError).Split('\n')
            .Where(line => line.StartsWith("Error", StringComparison.Ordinal) || line.StartsWith("Warning", StringComparison.Ordinal))
            .Select(line => QuotedValue().Replace(line, "<v>"))];
    }

    [GeneratedRegex("= <[^>]*>|\"[^\"]*\"")]
    private static partial Regex QuotedValue();
}

using CloudAnon.Core;
using CloudAnon.Core.Mapping;
using CloudAnon.Core.Profile;
using CloudAnon.Dicom;
using CloudAnon.TestSupport;
using SkiaSharp;
using Xunit.Abstractions;

namespace CloudAnon.Pixels.Tests;

/// <summary>
/// pixel-text=identifying through the engine, on a frame with the patient's name, ID and birth date (the file's own
/// values; the ID also glued to its label, a date as viewers burn it, "1971 Mar 14", and one as small text is misread,
/// "03/14/1571") and clinical labels: the identifying lines are blanked, the clinical ones are still read by Tesseract (an
/// OCR independent of the cleaner's); pixel-text=all blanks every line of two or more characters (a lone "L" is not
/// found by the detector at this size: docs/pixels.md, known limits).
/// </summary>
public sealed class IdentifyingTextTests(ITestOutputHelper output) : IDisposable
{
    private static readonly (string Text, float X, float Y)[] Identifying =
        [("DOE^JANE MARIA", 10, 28), ("ID 84736251", 10, 60), ("DOB 1971-03-14", 420, 28), ("PatientID84736251", 10, 200), ("1971 Mar 14", 10, 250), ("03/14/1571", 10, 300)];
    private static readonly (string Text, float X, float Y)[] Clinical = [("L", 600, 440), ("5 cm", 20, 440), ("C5-1", 560, 90), ("FR 30Hz", 540, 122)];

    private readonly string _directory = Directory.CreateTempSubdirectory("cloudanon-identifying-").FullName;

    [Fact]
    public async Task Identifying_lines_are_blanked_and_clinical_labels_stay_readable()
    {
        var frame = TexturedFrame.Render(Texture.Speckle, 640, 480, lines: [.. Identifying, .. Clinical], fontSize: 22);
        string input = SyntheticDicom.Write(_directory, "identifying", [frame], SyntheticLayout.Mono8);
        foreach (var (text, _, _) in Clinical) Assert.Contains(Squeezed(text), Tesseract(frame.Rgb, Box(frame, text), text.Length == 1));

        var (result, cleaned) = await DeidentifyAsync(input, "clean-pixel-data=on,pixel-text=identifying");

        var after = (await Oracles.ReadFramesAsync(cleaned)).Frames[0];
        output.WriteLine($"{result.PixelCleaning}; kept: {string.Join("; ", result.PixelCleaning!.Kept)}");
        Assert.Equal(PixelOutcome.Cleaned, result.PixelCleaning.Outcome);
        Assert.NotEmpty(result.PixelCleaning.Kept);
        foreach (var (text, _, _) in Identifying) Assert.Equal(0, GlyphPixelsLeft(frame, Box(frame, text), after));
        var rgb = after.SelectMany(v => new[] { v, v, v }).ToArray();
        foreach (var (text, _, _) in Clinical)
        {
            string read = Tesseract(rgb, Box(frame, text), text.Length == 1);
            output.WriteLine($"{text}: Tesseract reads \"{read}\"");
            Assert.Contains(Squeezed(text), read);
        }
        using var file = await DicomFile.OpenAsync(File.OpenRead(cleaned));
        Assert.Equal("NO", file.Dataset.GetAsciiString(new DicomTag(0x0028, 0x0301)));
        Oracles.AssertDcmdumpReads(cleaned);
    }

    [Fact]
    public async Task All_blanks_the_clinical_labels_too()
    {
        var frame = TexturedFrame.Render(Texture.Speckle, 640, 480, lines: [.. Identifying, .. Clinical], fontSize: 22);
        string input = SyntheticDicom.Write(_directory, "all", [frame], SyntheticLayout.Mono8);

        var (result, cleaned) = await DeidentifyAsync(input, "clean-pixel-data=on,pixel-text=all");

        var after = (await Oracles.ReadFramesAsync(cleaned)).Frames[0];
        Assert.Equal(PixelOutcome.Cleaned, result.PixelCleaning!.Outcome);
        Assert.Empty(result.PixelCleaning.Kept);
        foreach (var (text, _, _) in Identifying.Concat(Clinical).Where(line => line.Text.Length > 1)) Assert.Equal(0, GlyphPixelsLeft(frame, Box(frame, text), after));
    }

    private async Task<(DeidentificationResult Result, string Cleaned)> DeidentifyAsync(string input, string option)
    {
        Assert.True(ProfileOptionNames.TryApply(new DeidentificationOptions { Irreversible = true }, option, out var options));
        var deidentifier = new Deidentifier(options, new InMemoryMappingStore(), null);
        string cleaned = Path.Combine(_directory, Path.GetFileNameWithoutExtension(input) + ".out.dcm");
        await using var stream = File.OpenRead(input);
        using var file = await DicomFile.OpenAsync(stream);
        var result = await deidentifier.DeidentifyAsync(file);
        await using var target = File.Create(cleaned);
        await file.SaveAsync(target);
        return (result, cleaned);
    }

    private static PixelRegion Box(SyntheticFrame frame, string text) =>
        frame.TextBoxes[Array.FindIndex([.. Identifying, .. Clinical], line => line.Text == text)];

    private static int GlyphPixelsLeft(SyntheticFrame frame, PixelRegion box, byte[] after)
    {
        int left = 0;
        for (int y = box.Y; y < box.Bottom; y++)
        {
            for (int x = box.X; x < box.Right; x++) left += frame.Glyphs[y * frame.Width + x] && after[y * frame.Width + x] != 0 ? 1 : 0;
        }
        return left;
    }

    /// <summary>What Tesseract reads in the box (with a margin), drawn dark on light at three times the size, without spaces.</summary>
    private string Tesseract(byte[] rgb, PixelRegion box, bool singleCharacter)
    {
        var crop = box.Inflate(8).ClipTo(640, 480);
        const int scale = 3;
        using var bitmap = new SKBitmap(crop.Width * scale, crop.Height * scale, SKColorType.Gray8, SKAlphaType.Opaque);
        for (int y = 0; y < crop.Height * scale; y++)
        {
            for (int x = 0; x < crop.Width * scale; x++)
            {
                byte grey = rgb[((crop.Y + y / scale) * 640 + crop.X + x / scale) * 3];
                bitmap.SetPixel(x, y, new SKColor((byte)(255 - grey), (byte)(255 - grey), (byte)(255 - grey)));
            }
        }
        string png = Path.Combine(_directory, $"crop-{crop.X}-{crop.Y}.png");
        using (var stream = File.Create(png)) bitmap.Encode(stream, SKEncodedImageFormat.Png, 100);
        var result = ExternalTool.Run("tesseract", png, "stdout", "--psm", singleCharacter ? "10" : "7");
        Assert.True(result.ExitCode == 0, $"tesseract: {result.StandardError}");
        return Squeezed(result.StandardOutput);
    }

    private static string Squeezed(string text) => string.Concat(text.Where(c => !char.IsWhiteSpace(c)));

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}

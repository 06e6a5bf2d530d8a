using CloudAnon.Dicom;
using CloudAnon.TestSupport;

namespace CloudAnon.Dicom.Tests;

/// <summary>Every file of the shared corpus through read → write: same bytes for well-formed files, a clear error or a tolerant read for defective ones.</summary>
public sealed class CorpusRoundTripTests
{
    // Outside defective/ but encoded with a wrong length (an item longer than its sequence, which readers clamp):
    // the rewrite writes the correct length, so only the data set is compared.
    private static readonly HashSet<string> WrongLengthsOutsideDefective = ["dicomdir/pydicom_dicomdirtests/DICOMDIR-nooffset"];

    public static TheoryData<string> WellFormedFiles() => [.. Corpus.WellFormed.Select(f => f.RelativePath)];

    public static TheoryData<string> DefectiveFiles() => [.. Corpus.Files.Where(f => f.IsDefective).Select(f => f.RelativePath)];

    public static TheoryData<string> NonDicomFiles() => [.. Corpus.Files.Where(f => !f.IsDicom).Select(f => f.RelativePath)];

    [Theory]
    [MemberData(nameof(WellFormedFiles))]
    public async Task Identity_rewrite_gives_the_same_bytes_or_for_deflated_the_same_data_set(string relativePath)
    {
        var corpusFile = Corpus.Get(relativePath);
        byte[] original = await File.ReadAllBytesAsync(corpusFile.FullPath);
        byte[] rewritten = await RewriteAsync(original, target: null);

        if (corpusFile.IsDeflated || WrongLengthsOutsideDefective.Contains(relativePath))
        {
            Assert.Equal(Dump(original), Dump(rewritten));
        }
        else
        {
            AssertSameBytes(original, rewritten);
        }
        AssertDcmdumpReads(rewritten);
    }

    [Theory]
    [MemberData(nameof(DefectiveFiles))]
    public async Task Defective_files_are_read_tolerantly_or_refused_with_the_codec_error(string relativePath)
    {
        byte[] original = await File.ReadAllBytesAsync(Corpus.Get(relativePath).FullPath);
        try
        {
            byte[] rewritten = await RewriteAsync(original, target: null);
            if (DcmdumpReads(original)) AssertDcmdumpReads(rewritten);
        }
        catch (DicomFormatException e)
        {
            Assert.False(string.IsNullOrWhiteSpace(e.Reason));
            Assert.InRange(e.Offset, 0, original.Length);
        }
    }

    [Theory]
    [MemberData(nameof(NonDicomFiles))]
    public async Task Non_dicom_files_are_refused(string relativePath)
    {
        byte[] content = await File.ReadAllBytesAsync(Corpus.Get(relativePath).FullPath);
        var error = await Assert.ThrowsAsync<DicomFormatException>(() => RewriteAsync(content, target: null));
        Assert.Contains("offset", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_non_seekable_source_gives_the_same_bytes_as_a_file()
    {
        var corpusFile = Corpus.WellFormed.Where(f => !f.IsDeflated).MaxBy(f => f.Bytes)!;
        byte[] original = await File.ReadAllBytesAsync(corpusFile.FullPath);
        await using var source = new ForwardOnlyStream(new MemoryStream(original));
        using var file = await DicomFile.OpenAsync(source);
        using var output = new MemoryStream();
        await file.SaveAsync(output);
        AssertSameBytes(original, output.ToArray());
    }

    [Fact]
    public async Task File_to_file_rewrites_give_the_same_bytes()
    {
        // As the CLI runs: bulk values are copied from the source file while the writer's own bytes go through its buffer.
        string output = Path.Combine(Path.GetTempPath(), $"cloudanon-test-{Guid.NewGuid():N}.dcm");
        try
        {
            foreach (var corpusFile in Corpus.WellFormed.Where(f => !f.IsDeflated && !WrongLengthsOutsideDefective.Contains(f.RelativePath)))
            {
                await using (var source = new FileStream(corpusFile.FullPath, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1))
                await using (var target = new FileStream(output, FileMode.Create, FileAccess.Write, FileShare.None, 64 * 1024))
                {
                    using var file = await DicomFile.OpenAsync(source);
                    await file.SaveAsync(target);
                }
                AssertSameBytes(await File.ReadAllBytesAsync(corpusFile.FullPath), await File.ReadAllBytesAsync(output));
            }
        }
        finally
        {
            File.Delete(output);
        }
    }

    [Fact]
    public async Task A_file_cut_inside_its_pixel_data_after_reading_is_refused_when_written()
    {
        var corpusFile = Corpus.WellFormed.Where(f => !f.IsDeflated).MaxBy(f => f.Bytes)!;
        byte[] original = await File.ReadAllBytesAsync(corpusFile.FullPath);
        string input = Path.Combine(Path.GetTempPath(), $"cloudanon-test-{Guid.NewGuid():N}.dcm");
        string output = input + ".out";
        try
        {
            await File.WriteAllBytesAsync(input, original);
            await using var source = new FileStream(input, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite, bufferSize: 1);
            using var file = await DicomFile.OpenAsync(source);
            // Truncated after reading, as a file shrinking under a run would be: the copy meets the end of the file.
            source.SetLength(original.Length - 1000);
            await using var target = new FileStream(output, FileMode.Create, FileAccess.Write, FileShare.None, 64 * 1024);
            var error = await Assert.ThrowsAsync<DicomFormatException>(() => file.SaveAsync(target));
            Assert.Contains("bulk data ends", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(input);
            File.Delete(output);
        }
    }

    internal static async Task<byte[]> RewriteAsync(byte[] input, TransferSyntax? target)
    {
        using var source = new MemoryStream(input, writable: false);
        using var file = await DicomFile.OpenAsync(source);
        using var output = new MemoryStream();
        await file.SaveAsync(output, target);
        return output.ToArray();
    }

    internal static string Dump(byte[] content)
    {
        using var file = DicomFile.OpenAsync(new MemoryStream(content)).GetAwaiter().GetResult();
        var text = new StringWriter();
        DicomDump.Write(file.Dataset, text, DicomCharacterSet.Default, 0);
        return text.ToString();
    }

    internal static void AssertDcmdumpReads(byte[] content)
    {
        var result = RunDcmdump(content);
        Assert.True(result.ExitCode == 0, $"dcmdump failed ({result.ExitCode}): {result.StandardError}");
    }

    /// <summary>Whether dcmdump reads a file without error; some defective inputs defeat it (the corpus marks them).</summary>
    private static bool DcmdumpReads(byte[] content) => RunDcmdump(content).ExitCode == 0;

    private static ExternalTool.Result RunDcmdump(byte[] content) => ExternalTool.RunOnBytes(content, "dcmdump", "-q", "+E");

    private static void AssertSameBytes(byte[] expected, byte[] actual)
    {
        int firstDifference = expected.AsSpan().CommonPrefixLength(actual);
        Assert.True(firstDifference == expected.Length && expected.Length == actual.Length,
            $"output differs from input at byte {firstDifference} (input {expected.Length} bytes, output {actual.Length} bytes)");
    }
}

/// <summary>A stream that cannot seek or report its length, like a network download.</summary>
internal sealed class ForwardOnlyStream(Stream inner) : Stream
{
    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, Math.Min(count, 1000));
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}

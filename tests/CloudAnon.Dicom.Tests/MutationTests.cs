using System.Buffers.Binary;
using CloudAnon.TestSupport;
using Xunit.Abstractions;

namespace CloudAnon.Dicom.Tests;

/// <summary>Runs alone, after the parallel tests, so that process-wide allocation counts belong to the input under test.</summary>
[CollectionDefinition(nameof(MutationTests), DisableParallelization = true)]
public sealed class MutationTestsCollection;

/// <summary>
/// Mutated corpus files (bit flips, truncations, lying lengths, spliced elements, repeated delimiters, deep nesting)
/// read and written back: only <see cref="DicomFormatException"/> may escape, each input finishes within
/// <see cref="PerInputTimeout"/>, and allocation stays below <see cref="AllocationFactor"/> × input size + <see cref="AllocationAllowance"/>.
/// 3,000 inputs in the normal suite; CLOUDANON_LONG_FUZZ=1 runs 100,000. A failure names the seed: <see cref="Mutate"/> rebuilds the input.
/// </summary>
[Collection(nameof(MutationTests))]
public sealed class MutationTests(ITestOutputHelper output)
{
    private const int BaseSeed = 20_261_125;
    private const int AllocationFactor = 16;
    private const long AllocationAllowance = 4 * 1024 * 1024;
    private static readonly TimeSpan PerInputTimeout = TimeSpan.FromSeconds(2);
    private static readonly uint[] LyingLengths = [0xFFFF_FFF0, 0x7FFF_FFFF, 0xFFFF_FFFF, 0x0001_0001, 0x0000_FFFF];

    internal enum Mutation { BitFlips, Truncation, LyingLength, Splice, RepeatedDelimiters, DeepNesting }

    /// <summary>Small corpus files (well-formed and defective), so that each input takes milliseconds.</summary>
    private static readonly Lazy<byte[][]> Seeds = new(() =>
        [.. Corpus.Files.Where(f => f.IsDicom && f.Bytes <= 64 * 1024).OrderBy(f => f.RelativePath, StringComparer.Ordinal).Select(f => File.ReadAllBytes(f.FullPath))]);

    [Fact]
    public async Task Mutated_inputs_raise_only_the_codec_error_in_bounded_time_and_memory()
    {
        bool longRun = Environment.GetEnvironmentVariable("CLOUDANON_LONG_FUZZ") == "1";
        int count = longRun ? 100_000 : 3_000;
        var failures = new List<string>();
        int refused = 0;
        var clock = System.Diagnostics.Stopwatch.StartNew();

        for (int i = 0; i < count && failures.Count < 20; i++)
        {
            int seed = BaseSeed + i;
            var (mutation, input) = Mutate(seed);
            long before = GC.GetTotalAllocatedBytes(precise: true);
            var run = Task.Run(() => ReadAndWriteAsync(input, forwardOnly: seed % 8 == 0));
            if (await Task.WhenAny(run, Task.Delay(PerInputTimeout)) != run)
            {
                failures.Add($"seed {seed} ({mutation}): no result within {PerInputTimeout.TotalSeconds} s");
                continue;
            }
            long allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
            long limit = AllocationFactor * (long)input.Length + AllocationAllowance;
            if (allocated > limit) failures.Add($"seed {seed} ({mutation}): allocated {allocated:N0} bytes for {input.Length:N0} input bytes (limit {limit:N0})");
            switch (run.Exception?.InnerException)
            {
                case null:
                    break;
                case DicomFormatException { Offset: >= 0 }:
                    refused++;
                    break;
                case var error:
                    failures.Add($"seed {seed} ({mutation}): {error.GetType().Name}: {error.Message} {error.StackTrace?.Split('\n')[0].Trim()}");
                    break;
            }
        }

        Assert.True(failures.Count == 0, $"{failures.Count} failing inputs:\n{string.Join('\n', failures)}");
        // The mutations must bite: most inputs are refused, some still read.
        Assert.InRange(refused, count / 4, count - 1);
        output.WriteLine($"{count:N0} mutated inputs, {refused:N0} refused with DicomFormatException, the rest read and written, {clock.Elapsed.TotalSeconds:N0} s");
    }

    [Fact]
    public async Task Nesting_beyond_the_limit_is_refused_without_recursion()
    {
        byte[] deep = Part10(NestedSequences(depth: 10_000, explicitVR: true, closed: true), TransferSyntax.ExplicitVRLittleEndian);
        var error = await Assert.ThrowsAsync<DicomFormatException>(() => ReadAndWriteAsync(deep, forwardOnly: false));
        Assert.Contains("nested deeper", error.Reason, StringComparison.Ordinal);

        byte[] allowed = Part10(NestedSequences(depth: DicomReaderOptions.DefaultMaxDepth / 2, explicitVR: false, closed: true), TransferSyntax.ImplicitVRLittleEndian);
        Assert.Equal(allowed, await CorpusRoundTripTests.RewriteAsync(allowed, target: null));
    }

    [Theory]
    [InlineData(0xFFFF_FFF0u)]
    [InlineData(0x7FFF_FFFFu)]
    [InlineData(0x0000_7FFFu)]
    public async Task A_length_beyond_the_data_is_refused_before_allocating_it(uint length)
    {
        // A private OB element: its 32-bit length can claim far more than the 16 bytes that follow.
        var dataset = new byte[12 + 16];
        BinaryPrimitives.WriteUInt16LittleEndian(dataset, 0x0009);
        BinaryPrimitives.WriteUInt16LittleEndian(dataset.AsSpan(2), 0x1001);
        dataset[4] = (byte)'O';
        dataset[5] = (byte)'B';
        BinaryPrimitives.WriteUInt32LittleEndian(dataset.AsSpan(8), length);
        byte[] input = Part10(dataset, TransferSyntax.ExplicitVRLittleEndian);

        long before = GC.GetTotalAllocatedBytes(precise: true);
        await Assert.ThrowsAsync<DicomFormatException>(() => ReadAndWriteAsync(input, forwardOnly: false));
        Assert.InRange(GC.GetTotalAllocatedBytes(precise: true) - before, 0, AllocationAllowance);
    }

    [Fact]
    public async Task Found_by_mutation_corrupt_deflate_data_is_the_codec_error()
    {
        byte[] input = await File.ReadAllBytesAsync(Corpus.Get("ts/deflated/image_dfl.dcm").FullPath);
        int metaEnd = 132 + 12 + (int)BinaryPrimitives.ReadUInt32LittleEndian(input.AsSpan(140));
        input[metaEnd] = 0xFF; // a deflate block of the reserved type 3

        var error = await Assert.ThrowsAsync<DicomFormatException>(() => ReadAndWriteAsync(input, forwardOnly: false));
        Assert.Equal(metaEnd, error.Offset);
    }

    [Fact]
    public async Task Found_by_mutation_a_long_meta_value_from_a_non_seekable_source_is_spooled()
    {
        var meta = new DicomDataset();
        meta.Set(new DicomValueElement(new DicomTag(0x0002, 0x0102), DicomVR.OB, new byte[DicomReaderOptions.DefaultBulkDataThreshold * 2]));
        meta.Set(DicomValueElement.FromString(DicomTag.TransferSyntaxUid, DicomVR.UI, TransferSyntax.ExplicitVRLittleEndian.Uid));
        var dataset = new DicomDataset();
        dataset.Set(DicomValueElement.FromString(new DicomTag(0x0008, 0x0060), DicomVR.CS, "OT"));
        using var encoded = new MemoryStream();
        encoded.Write(new byte[128]);
        encoded.Write("DICM"u8);
        await DicomFile.WriteDatasetAsync(encoded, meta, TransferSyntax.ExplicitVRLittleEndian);
        await DicomFile.WriteDatasetAsync(encoded, dataset, TransferSyntax.ExplicitVRLittleEndian);
        byte[] input = encoded.ToArray();

        await using var source = new ForwardOnlyStream(new MemoryStream(input));
        using var file = await DicomFile.OpenAsync(source);
        using var output = new MemoryStream();
        await file.SaveAsync(output);
        Assert.Equal(input, output.ToArray());
    }

    private static async Task ReadAndWriteAsync(byte[] input, bool forwardOnly)
    {
        Stream source = new MemoryStream(input, writable: false);
        if (forwardOnly) source = new ForwardOnlyStream(source);
        await using (source)
        {
            using var file = await DicomFile.OpenAsync(source);
            await file.SaveAsync(Stream.Null);
        }
    }

    /// <summary>The input for <paramref name="seed"/>: a corpus file mutated one way, or a synthesised deep nesting.</summary>
    internal static (Mutation Kind, byte[] Input) Mutate(int seed)
    {
        var random = new Random(seed);
        var seeds = Seeds.Value;
        byte[] original = seeds[random.Next(seeds.Length)];
        var kind = (Mutation)random.Next(Enum.GetValues<Mutation>().Length);
        var headers = ElementHeaders(original);
        int header = headers.Count > 0 ? headers[random.Next(headers.Count)] : random.Next(original.Length);
        switch (kind)
        {
            case Mutation.BitFlips:
            {
                byte[] bytes = (byte[])original.Clone();
                for (int n = random.Next(1, 9); n > 0; n--) bytes[random.Next(bytes.Length)] ^= (byte)(1 << random.Next(8));
                return (kind, bytes);
            }
            case Mutation.Truncation:
                return (kind, original[..random.Next(original.Length)]);
            case Mutation.LyingLength:
            {
                byte[] bytes = (byte[])original.Clone();
                uint length = random.Next(3) == 0 ? (uint)random.Next() | 1 : LyingLengths[random.Next(LyingLengths.Length)];
                var (offset, size) = LengthField(bytes, header);
                if (offset + size <= bytes.Length)
                {
                    if (size == 4) BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(offset), length);
                    else BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(offset), (ushort)length);
                }
                return (kind, bytes);
            }
            case Mutation.Splice:
            {
                byte[] donor = seeds[random.Next(seeds.Length)];
                var donorHeaders = ElementHeaders(donor);
                int from = donorHeaders.Count > 0 ? donorHeaders[random.Next(donorHeaders.Count)] : 0;
                int length = Math.Min(random.Next(8, 512), donor.Length - from);
                return (kind, [.. original.AsSpan(0, header), .. donor.AsSpan(from, length), .. original.AsSpan(header)]);
            }
            case Mutation.RepeatedDelimiters:
            {
                var delimiters = new List<byte>();
                for (int n = random.Next(1, 200); n > 0; n--)
                {
                    ushort element = new ushort[] { 0xE000, 0xE00D, 0xE0DD }[random.Next(3)];
                    uint length = random.Next(2) == 0 ? 0 : 0xFFFF_FFFF;
                    var delimiter = new byte[8];
                    BinaryPrimitives.WriteUInt16LittleEndian(delimiter, 0xFFFE);
                    BinaryPrimitives.WriteUInt16LittleEndian(delimiter.AsSpan(2), element);
                    BinaryPrimitives.WriteUInt32LittleEndian(delimiter.AsSpan(4), length);
                    delimiters.AddRange(delimiter);
                }
                return (kind, [.. original.AsSpan(0, header), .. delimiters, .. original.AsSpan(header)]);
            }
            default:
            {
                bool explicitVR = random.Next(2) == 0;
                byte[] nested = NestedSequences(random.Next(1, 400), explicitVR, closed: random.Next(3) > 0);
                return (kind, Part10(nested, explicitVR ? TransferSyntax.ExplicitVRLittleEndian : TransferSyntax.ImplicitVRLittleEndian));
            }
        }
    }

    /// <summary>Offsets that look like element headers: an explicit VR at +4, or a common group in the first two bytes (implicit VR).</summary>
    private static List<int> ElementHeaders(byte[] bytes)
    {
        var offsets = new List<int>();
        for (int i = 0; i + 8 <= bytes.Length; i += 2)
        {
            ushort group = BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(i));
            bool knownGroup = group is 0x0008 or 0x0010 or 0x0018 or 0x0020 or 0x0028 or 0x0040 or 0x7FE0 or 0xFFFE;
            if (knownGroup || (group % 2 == 1 && group > 8 && DicomVR.TryParse(bytes[i + 4], bytes[i + 5], out _))) offsets.Add(i);
        }
        return offsets;
    }

    /// <summary>Where the length of the element at <paramref name="header"/> is: 32 bits at +8 (explicit long form) or +4 (implicit, delimiters), 16 bits at +6.</summary>
    private static (int Offset, int Size) LengthField(byte[] bytes, int header)
    {
        if (header + 6 > bytes.Length || !DicomVR.TryParse(bytes[header + 4], bytes[header + 5], out var vr)) return (header + 4, 4);
        return vr.HasLongExplicitLength ? (header + 8, 4) : (header + 6, 2);
    }

    /// <summary><paramref name="depth"/> nested sequences of undefined length, each with one item of undefined length; unclosed when asked.</summary>
    private static byte[] NestedSequences(int depth, bool explicitVR, bool closed)
    {
        using var output = new MemoryStream();
        var header = new byte[12];
        for (int level = 0; level < depth; level++)
        {
            // (0040,A730) Content Sequence, then an item.
            BinaryPrimitives.WriteUInt16LittleEndian(header, 0x0040);
            BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(2), 0xA730);
            if (explicitVR)
            {
                header[4] = (byte)'S';
                header[5] = (byte)'Q';
                header[6] = header[7] = 0;
                BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(8), 0xFFFF_FFFF);
                output.Write(header);
            }
            else
            {
                BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(4), 0xFFFF_FFFF);
                output.Write(header.AsSpan(0, 8));
            }
            output.Write(Delimiter(0xE000, 0xFFFF_FFFF));
        }
        if (closed)
        {
            for (int level = 0; level < depth; level++)
            {
                output.Write(Delimiter(0xE00D, 0));
                output.Write(Delimiter(0xE0DD, 0));
            }
        }
        return output.ToArray();
    }

    private static byte[] Delimiter(ushort element, uint length)
    {
        var bytes = new byte[8];
        BinaryPrimitives.WriteUInt16LittleEndian(bytes, 0xFFFE);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(2), element);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(4), length);
        return bytes;
    }

    /// <summary>Preamble, "DICM" and a minimal File Meta group around an encoded data set.</summary>
    private static byte[] Part10(byte[] dataset, TransferSyntax syntax)
    {
        var meta = new DicomDataset();
        meta.Set(DicomValueElement.FromString(DicomTag.TransferSyntaxUid, DicomVR.UI, syntax.Uid));
        using var output = new MemoryStream();
        output.Write(new byte[128]);
        output.Write("DICM"u8);
        DicomFile.WriteDatasetAsync(output, meta, TransferSyntax.ExplicitVRLittleEndian).GetAwaiter().GetResult();
        output.Write(dataset);
        return output.ToArray();
    }
}

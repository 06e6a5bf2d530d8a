using BenchmarkDotNet.Attributes;
using CloudAnon.Dicom;

namespace CloudAnon.Benchmarks;

/// <summary>
/// Read + identity write from memory: a ~0.5 MB 512×512 16-bit CT from the shared corpus, and a synthesised
/// 64-frame 512×512 16-bit multi-frame file (32 MB) whose pixel data streams as bulk data.
/// </summary>
[MemoryDiagnoser]
[ShortRunJob]
public class CodecBenchmarks
{
    private byte[] _ct = [];
    private byte[] _multiFrame = [];

    [GlobalSetup]
    public void Setup()
    {
        _ct = File.ReadAllBytes(Corpus.Get("modality/CT/SignedCT.dcm").FullPath);
        _multiFrame = MultiFrame(frames: 64);
    }

    [Benchmark]
    public Task<long> Ct512() => RewriteAsync(_ct);

    [Benchmark]
    public Task<long> MultiFrame64() => RewriteAsync(_multiFrame);

    private static async Task<long> RewriteAsync(byte[] input)
    {
        using var source = new MemoryStream(input, writable: false);
        using var file = await DicomFile.OpenAsync(source);
        var output = new CountingStream();
        await file.SaveAsync(output);
        return output.Length;
    }

    private static byte[] MultiFrame(int frames)
    {
        var dataset = new DicomDataset();
        dataset.Set(DicomValueElement.FromString(new DicomTag(0x0008, 0x0016), DicomVR.UI, "1.2.840.10008.5.1.4.1.1.7.3"));
        dataset.Set(DicomValueElement.FromString(new DicomTag(0x0008, 0x0018), DicomVR.UI, "2.25.1"));
        dataset.Set(DicomValueElement.FromString(new DicomTag(0x0028, 0x0008), DicomVR.IS, frames.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        dataset.Set(new DicomValueElement(DicomTag.PixelData, DicomVR.OW, new byte[frames * 512 * 512 * 2]));
        var meta = new DicomDataset();
        meta.Set(DicomValueElement.FromString(DicomTag.TransferSyntaxUid, DicomVR.UI, TransferSyntax.ExplicitVRLittleEndian.Uid));
        using var output = new MemoryStream();
        DicomFile.Create(meta, dataset, TransferSyntax.ExplicitVRLittleEndian).SaveAsync(output).GetAwaiter().GetResult();
        return output.ToArray();
    }
}

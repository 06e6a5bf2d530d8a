using BenchmarkDotNet.Attributes;
using CloudAnon.Core;
using CloudAnon.Core.Certificates;
using CloudAnon.Core.Mapping;
using CloudAnon.Dicom;
using CloudAnon.TestSupport;

namespace CloudAnon.Benchmarks;

/// <summary>
/// One ~0.5 MB CT through read → de-identify → write, in memory: reversible (AES-256 envelope to an RSA-2048
/// certificate made at set-up) and irreversible. The mapping store is in memory and warm after the first iteration,
/// as in a long CLI run; the figures are the engine's per-file cost apart from file I/O. The 30-frame JPEG ultrasound
/// cine is the encapsulated case (every fragment's codestream is walked for metadata).
/// </summary>
[MemoryDiagnoser]
[ShortRunJob]
public class DeidentificationBenchmarks
{
    private byte[] _ct = [];
    private byte[] _jpegCine = [];
    private string _certificatePath = "";
    private Deidentifier _reversible = null!;
    private Deidentifier _irreversible = null!;

    [GlobalSetup]
    public void Setup()
    {
        _ct = File.ReadAllBytes(Corpus.Get("modality/CT/SignedCT.dcm").FullPath);
        _jpegCine = File.ReadAllBytes(Corpus.Get("modality/US_multiframe/examples_ybr_color_30frames.dcm").FullPath);
        using var certificate = TestCertificates.CreateRsa("CloudAnon benchmark");
        _certificatePath = Path.Combine(Path.GetTempPath(), $"cloudanon-bench-{Guid.NewGuid():N}.pem");
        File.WriteAllText(_certificatePath, certificate.ExportCertificatePem());
        var mapping = new InMemoryMappingStore();
        // The corpus CT carries de-identification marks, which the engine otherwise refuses.
        _reversible = new Deidentifier(new DeidentificationOptions { AllowAlreadyDeidentified = true }, mapping, new PemCertificateSource(_certificatePath));
        _irreversible = new Deidentifier(new DeidentificationOptions { AllowAlreadyDeidentified = true, Irreversible = true }, mapping, null);
    }

    [GlobalCleanup]
    public void Cleanup() => File.Delete(_certificatePath);

    [Benchmark]
    public Task<long> ReversibleCt512() => DeidentifyAsync(_reversible);

    [Benchmark]
    public Task<long> IrreversibleCt512() => DeidentifyAsync(_irreversible);

    [Benchmark]
    public Task<long> IrreversibleJpegCine30() => DeidentifyAsync(_irreversible, _jpegCine);

    private Task<long> DeidentifyAsync(Deidentifier deidentifier) => DeidentifyAsync(deidentifier, _ct);

    private static async Task<long> DeidentifyAsync(Deidentifier deidentifier, byte[] input)
    {
        using var source = new MemoryStream(input, writable: false);
        using var file = await DicomFile.OpenAsync(source);
        await deidentifier.DeidentifyAsync(file);
        var output = new CountingStream();
        await file.SaveAsync(output);
        return output.Length;
    }
}

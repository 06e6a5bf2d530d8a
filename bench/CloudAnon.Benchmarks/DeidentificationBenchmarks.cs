using BenchmarkDotNet.Attributes;
using CloudAnon.Core;
using CloudAnon.Core.Certificates;
using CloudAnon.Core.Mapping;
using CloudAnon.Dicom;

namespace CloudAnon.Benchmarks;

/// <summary>
/// One ~0.5 MB CT through read → de-identify → write, in memory: reversible (AES-256 envelope to an RSA-2048
/// certificate made at set-up) and irreversible. The mapping store is in memory and warm after the first iteration,
/// as in a long CLI run; the figures are the engine's per-file cost apart from file I/O. The 30-frame JPEG ultrasound
/// cine is the encapsulated case (every fragment's codestream is walked for metadata). The clean-options case gives
/// the CT a report-like comment and description, so the free-text cleaner (file values, their spellings, patterns and
/// the names gazetteer) runs on every file.
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
    private Deidentifier _cleaning = null!;
    private Deidentifier _irreversibleAudited = null!;
    private Deidentifier _cleaningAudited = null!;
    private byte[] _ctWithText = [];

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
        var cleaning = new DeidentificationOptions
        {
            AllowAlreadyDeidentified = true, Irreversible = true,
            ProfileOptions = Core.Profile.ProfileOptions.CleanDescriptors | Core.Profile.ProfileOptions.CleanStructuredContent,
        };
        _cleaning = new Deidentifier(cleaning, mapping, null);
        // The same with the audit record built and serialised, as --audit does: the cost of recording.
        _irreversibleAudited = new Deidentifier(new DeidentificationOptions { AllowAlreadyDeidentified = true, Irreversible = true, RecordAudit = true }, mapping, null);
        _cleaningAudited = new Deidentifier(cleaning with { RecordAudit = true }, mapping, null);
        _ctWithText = WithText(_ct);
    }

    private static byte[] WithText(byte[] ct)
    {
        using var file = DicomFile.OpenAsync(new MemoryStream(ct)).GetAwaiter().GetResult();
        file.Dataset.Set(DicomValueElement.FromString(new DicomTag(0x0008, 0x1030), DicomVR.LO, "CT Head Routine follow-up"));
        file.Dataset.Set(DicomValueElement.FromString(new DicomTag(0x0010, 0x4000), DicomVR.LT,
            "Husband John Smith present. Outside study of 2018-11-05 reviewed, fell at Whitfield farm. Ref. Dr. Hartmann, " +
            "MRN: A7712345, call +49 30 1234567. MR Brain Routine, T1 Dixon, Bolus Chase, Whole Body Bone. Compared with prior CT " +
            "1.2.826.0.1.3680043.10.999.1; no acute findings. Signed by Okafor."));
        using var output = new MemoryStream();
        file.SaveAsync(output).GetAwaiter().GetResult();
        return output.ToArray();
    }

    [GlobalCleanup]
    public void Cleanup() => File.Delete(_certificatePath);

    [Benchmark]
    public Task<long> ReversibleCt512() => DeidentifyAsync(_reversible);

    [Benchmark]
    public Task<long> IrreversibleCt512() => DeidentifyAsync(_irreversible);

    [Benchmark]
    public Task<long> IrreversibleJpegCine30() => DeidentifyAsync(_irreversible, _jpegCine);

    [Benchmark]
    public Task<long> CleanOptionsCt512WithText() => DeidentifyAsync(_cleaning, _ctWithText);

    [Benchmark]
    public Task<long> IrreversibleCt512Audited() => DeidentifyAsync(_irreversibleAudited);

    [Benchmark]
    public Task<long> CleanOptionsCt512WithTextAudited() => DeidentifyAsync(_cleaningAudited, _ctWithText);

    private Task<long> DeidentifyAsync(Deidentifier deidentifier) => DeidentifyAsync(deidentifier, _ct);

    private static async Task<long> DeidentifyAsync(Deidentifier deidentifier, byte[] input)
    {
        using var source = new MemoryStream(input, writable: false);
        using var file = await DicomFile.OpenAsync(source);
        var result = await deidentifier.DeidentifyAsync(file);
        var output = new CountingStream();
        await file.SaveAsync(output);
        return output.Length + (result.Audit?.ToJson().Length ?? 0);
    }
}

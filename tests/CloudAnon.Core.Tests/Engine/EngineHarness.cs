using System.Security.Cryptography.X509Certificates;
using CloudAnon.Core.Mapping;
using CloudAnon.Core.Profile;
using CloudAnon.Dicom;
using CloudAnon.TestSupport;

namespace CloudAnon.Core.Tests.Engine;

/// <summary>Runs the real engine (real CMS to a run-time certificate, in-memory mapping store) on real or planted files.</summary>
internal sealed class EngineHarness
{
    private static readonly Lazy<X509Certificate2> Certificate = new(() => TestCertificates.CreateRsa("CloudAnon engine tests"));

    public EngineHarness(ProfileOptions options = ProfileOptions.None, IMappingStore? store = null, bool allowAlreadyDeidentified = false)
        : this(new DeidentificationOptions { ProfileOptions = options, AllowAlreadyDeidentified = allowAlreadyDeidentified }, store)
    {
    }

    public EngineHarness(DeidentificationOptions settings, IMappingStore? store = null)
    {
        Store = store ?? new InMemoryMappingStore();
        Deidentifier = new Deidentifier(settings, Store, new FixedCertificate(Certificate.Value));
    }

    public IMappingStore Store { get; }
    public Deidentifier Deidentifier { get; }

    /// <summary>Table E.1-1 rows with a single tag, with the dictionary VR to plant a value of.</summary>
    public static IEnumerable<(DicomTag Tag, DicomVR VR)> ExactProfileRows() =>
        ProfileTable.Current.Rows
            .Where(r => !r.IsPattern && r.Tag.Group != 0x0002)
            .Select(r => (r.Tag, DicomDictionary.GetVR(r.Tag)))
            .Where(r => r.Item2 != DicomVR.UN);

    public async Task<(DeidentificationResult Result, byte[] Output)> RunAsync(DicomFile file)
    {
        var result = await Deidentifier.DeidentifyAsync(file);
        using var output = new MemoryStream();
        await file.SaveAsync(output);
        return (result, output.ToArray());
    }

    public static async Task<DicomFile> ReadAsync(byte[] bytes) => await DicomFile.OpenAsync(new MemoryStream(bytes));

    private sealed class FixedCertificate(X509Certificate2 certificate) : ICertificateSource
    {
        public ValueTask<X509Certificate2> GetEncryptionCertificateAsync(CancellationToken cancellationToken = default) =>
            ValueTask.FromResult(X509CertificateLoader.LoadCertificate(certificate.RawData));
    }
}

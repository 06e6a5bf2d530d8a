using CloudAnon.Core.Certificates;
using CloudAnon.Core.Crypto;
using CloudAnon.Core.Mapping;
using CloudAnon.Core.Reversible;
using CloudAnon.Dicom;
using CloudAnon.TestSupport;

namespace CloudAnon.Core.Tests.Reversible;

/// <summary>CloudAnon's (0400,0500) must re-identify with gdcmanon -d, and the Deidentifier's output with both gdcmanon -d and the Reidentifier.</summary>
public sealed class CloudAnonToGdcmanonTests(RecipientKeyFixture keys) : IClassFixture<RecipientKeyFixture>
{
    private static readonly DicomTag[] Replaced =
    [
        new(0x0008, 0x0018), new(0x0008, 0x0020), new(0x0008, 0x0050), new(0x0008, 0x0090),
        new(0x0010, 0x0010), new(0x0010, 0x0020), new(0x0010, 0x0030), new(0x0020, 0x000D),
    ];

    public static TheoryData<string> Files =>
    [
        "modality/CT/CT_small_GE.dcm",                          // GE private tags
        "modality/SR/structured_report_enhanced.dcm",           // SR content tree, depth 6
        "modality/RT/dicompyler_set/rtss.dcm",                  // implicit VR, RT structure set
        "modality/MR/mr_bruker_enhanced.dcm",                   // multi-frame functional groups
        "private/ge/PrivateTags_GEMS_Ultrasound.dcm",           // private values above 64 KiB (bulk)
        "structure/GH177_CT1_UN_undefined_length_ELE.dcm",      // UN sequence of undefined length
        "private/siemens_xa_enhanced/XA30_Phoenix_Document_SR.dcm",
    ];

    /// <summary>
    /// De-identification simulated here (dummies for a few identifying attributes, every private attribute and
    /// top-level sequence removed), our (0400,0500) from BuildAsync, then gdcmanon -d must give the original back.
    /// </summary>
    [Theory]
    [MemberData(nameof(Files))]
    public async Task Gdcmanon_restores_what_BuildAsync_encrypted(string relativePath)
    {
        var original = Corpus.Get(relativePath).FullPath;
        string deidentified = Scratch("built", relativePath);
        await using (var source = File.OpenRead(original))
        using (var dicom = await DicomFile.OpenAsync(source))
        {
            var originals = SimulateDeidentification(dicom);
            dicom.Dataset.Set(await EncryptedAttributes.BuildAsync(originals, keys.Certificate, ContentCipher.Aes256Cbc));
            await using var target = File.Create(deidentified);
            await dicom.SaveAsync(target);
        }
        Assert.NotEqual(DicomListing.Of(original), DicomListing.Of(deidentified));

        string restored = GdcmanonReidentify(deidentified);
        Assert.Equal(DicomListing.Of(original), DicomListing.Of(restored));
    }

    /// <summary>
    /// The Deidentifier's output re-identifies with gdcmanon -d. gdcmanon removes (0012,0062), (0012,0063) and
    /// (0400,0500) but knows nothing of (0012,0064) and (0028,0303), which CloudAnon adds: those stay.
    /// </summary>
    [Theory]
    [MemberData(nameof(Files))]
    public async Task Gdcmanon_restores_what_the_Deidentifier_encrypted(string relativePath)
    {
        var original = Corpus.Get(relativePath).FullPath;
        string deidentified = await DeidentifyAsync(original, Scratch("deid", relativePath));

        var restored = DicomListing.Of(GdcmanonReidentify(deidentified));
        Assert.Equal(DicomListing.Of(original), DicomListing.WithoutTopLevel(restored, "0012,0064", "0028,0303"));
    }

    [Theory]
    [MemberData(nameof(Files))]
    public async Task Reidentifier_restores_what_the_Deidentifier_encrypted(string relativePath)
    {
        var original = Corpus.Get(relativePath).FullPath;
        string deidentified = await DeidentifyAsync(original, Scratch("deid", relativePath));
        string restored = Scratch("ours", relativePath);
        await using (var source = File.OpenRead(deidentified))
        using (var dicom = await DicomFile.OpenAsync(source))
        {
            await new Reidentifier(keys.KeySource()).ReidentifyAsync(dicom);
            await using var target = File.Create(restored);
            await dicom.SaveAsync(target);
        }

        Assert.Equal(DicomListing.Of(original), DicomListing.Of(restored));
    }

    private async Task<string> DeidentifyAsync(string original, string deidentified)
    {
        var deidentifier = new Deidentifier(new DeidentificationOptions(), new InMemoryMappingStore(), new PemCertificateSource(keys.CertificatePath));
        await using var source = File.OpenRead(original);
        using var dicom = await DicomFile.OpenAsync(source);
        var result = await deidentifier.DeidentifyAsync(dicom);
        Assert.True(result.Encrypted);
        await using (var target = File.Create(deidentified)) await dicom.SaveAsync(target);
        Assert.NotEqual(DicomListing.Of(original), DicomListing.Of(deidentified));
        return deidentified;
    }

    private string GdcmanonReidentify(string deidentified)
    {
        string restored = deidentified + ".gdcmanon-d.dcm";
        var run = ExternalTool.Run("gdcmanon", ["-d", "-k", keys.KeyPath, "-i", deidentified, "-o", restored]);
        Assert.True(run.ExitCode == 0, $"gdcmanon -d failed: {run.StandardError}");
        return restored;
    }

    private string Scratch(string stage, string relativePath) => Path.Combine(keys.Directory, $"{stage}-{relativePath.Replace('/', '_')}.dcm");

    /// <summary>What a de-identifier does to the top level, returning the originals it changed; marks the file as gdcmanon -d requires.</summary>
    private static List<DicomElement> SimulateDeidentification(DicomFile file)
    {
        var dataset = file.Dataset;
        var originals = new List<DicomElement>();
        foreach (var element in dataset.Elements.ToList())
        {
            if (element.Tag.IsPrivate || element is DicomSequence)
            {
                originals.Add(element);
                dataset.Remove(element.Tag);
            }
            else if (Replaced.Contains(element.Tag))
            {
                originals.Add(element);
                dataset.Set(element.VR == DicomVR.UI
                    ? DicomValueElement.FromString(element.Tag, DicomVR.UI, "2.25." + UInt128.Parse(Guid.NewGuid().ToString("N"), System.Globalization.NumberStyles.HexNumber))
                    : new DicomValueElement(element.Tag, element.VR, ReadOnlyMemory<byte>.Empty));
            }
        }
        dataset.Set(DicomValueElement.FromString(new DicomTag(0x0012, 0x0062), DicomVR.CS, "YES"));
        file.FileMetaInformation.Set(DicomValueElement.FromString(DicomTag.MediaStorageSopInstanceUid, DicomVR.UI, dataset.GetAsciiString(DicomTag.SopInstanceUid)!));
        return originals;
    }
}

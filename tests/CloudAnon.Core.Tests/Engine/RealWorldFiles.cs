using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using CloudAnon.Core.Mapping;
using CloudAnon.Core.Profile;
using CloudAnon.Core.Reversible;
using CloudAnon.Dicom;
using CloudAnon.TestSupport;
using static CloudAnon.TestSupport.RawDicom;

namespace CloudAnon.Core.Tests.Engine;

/// <summary>
/// Files written byte by byte as other systems write them (a codec would "fix" these shapes), and the engine that the
/// real-world shape tests run them through. Every output byte (inflated when deflated) is searched for every marker.
/// </summary>
internal static class RealWorldFiles
{
    internal const string ExplicitLittleEndian = "1.2.840.10008.1.2.1";
    internal const string DeflatedExplicitLittleEndian = "1.2.840.10008.1.2.1.99";
    internal const string StudyUid = "1.2.826.0.1.3680043.10.999.100";
    internal const string SeriesUid = "1.2.826.0.1.3680043.10.999.101";
    internal const string SopUid = "1.2.826.0.1.3680043.10.999.102";
    internal const string FrameOfReferenceUid = "1.2.826.0.1.3680043.10.999.103";
    internal const string ReferencedSeriesUid = "1.2.826.0.1.3680043.10.999.104";
    internal const string ReferencedSopUid = "1.2.826.0.1.3680043.10.999.105";
    internal static readonly Lazy<X509Certificate2> Certificate = new(() => TestCertificates.CreateRsa("CloudAnon real-world shapes"));

    /// <summary>A CT the way a system that knew few tags would write it: identifying values as UN, at the top and at depth.</summary>
    internal static byte[] UnEncodedCt(string transferSyntax, string patientId = "PHIMARKPID", string studyUid = StudyUid, string sopUid = SopUid) => File(transferSyntax,
        [
            Explicit(0x00020016, "AE", "PHIMARKSRCAE"),
            Explicit(0x00020026, "UR", "https://phimark-source.example/ae"),
            Explicit(0x00020027, "UR", "https://phimark-sending.example/ae"),
            Explicit(0x00020028, "UR", "https://phimark-receiving.example/ae"),
            Explicit(0x00020100, "UI", "1.2.826.0.1.3680043.10.999.109"),
            Explicit(0x00020102, "OB", Encoding.ASCII.GetBytes("PHIMARKMETAPRIV")),
        ],
        Explicit(0x00080016, "UI", "1.2.840.10008.5.1.4.1.1.2"),
        Explicit(0x00080018, "UI", sopUid),
        Explicit(0x00080020, "DA", "20190304"),
        Explicit(0x00080060, "CS", "CT"),
        Unknown(0x00080080, "PHIMARK Institution Name"),
        Explicit(0x00080082, "SQ", Items(Join(
            Explicit(0x00080100, "SH", "PHIMARKIC1"), Explicit(0x00080102, "SH", "PHIMARKSCH"), Explicit(0x00080104, "LO", "PHIMARK General Hospital")))),
        Unknown(0x00081010, "PHIMARKSTATION"),
        Unknown(0x00081030, "PHIMARK study description"),
        Explicit(0x00081072, "SQ", Items(Join(
            Explicit(0x00080080, "LO", "PHIMARK Operator Institution"),
            Explicit(0x00401101, "SQ", Items(Join(
                Explicit(0x00080100, "SH", "PHIMARKEMP42"), Explicit(0x00080102, "SH", "L"), Explicit(0x00080104, "LO", "PHIMARK^OPERATOR")))),
            Unknown(0x00401102, "PHIMARK Operator Street 1")))),
        Explicit(0x00081070, "PN", "PHIMARK^OPERATOR"),
        // Referenced Series Sequence as UN of defined length: implicit items with the series UID and a nested sequence.
        Unknown(0x00081115, Items(Join(
            Implicit(0x0020000E, Text(ReferencedSeriesUid, 0)),
            Implicit(0x00081199, Items(Join(
                Implicit(0x00081150, Text("1.2.840.10008.5.1.4.1.1.2", 0)),
                Implicit(0x00081155, Text(ReferencedSopUid, 0)))))))),
        Unknown(0x00100010, "PHIMARK^PATIENT"),
        Explicit(0x00100020, "LO", patientId),
        Unknown(0x00101001, "PHIMARK^OTHERNAME"),
        Unknown(0x00102160, "PHIMARK ethnic group"),
        Unknown(0x00104000, "PHIMARK patient comments"),
        Explicit(0x00180015, "CS", "HEAD"),
        Explicit(0x0020000D, "UI", studyUid),
        Explicit(0x0020000E, "UI", SeriesUid),
        Unknown(0x00200052, FrameOfReferenceUid + "\0"),
        Unknown(0x00324000, "PHIMARK study comments"),
        Unknown(0x00447777, "PHIMARK unknown standard attribute"),
        // Radiopharmaceutical Information Sequence as UN, with a date, text and a private block at depth.
        Unknown(0x00540016, Items(Join(
            Implicit(0x00091010, "PHIMARK DEPTH CREATOR"),
            Implicit(0x00091001, "PHIMARK private at depth"),
            Implicit(0x00181078, "20190304101010"),
            Implicit(0x00181030, "PHIMARK protocol")))),
        // Content Sequence (D) with UN text and a UN person name inside its item.
        Explicit(0x0040A730, "SQ", Items(Join(
            Explicit(0x0040A040, "CS", "TEXT"),
            Unknown(0x0040A123, "PHIMARK^OBSERVER"),
            Unknown(0x0040A160, "PHIMARK free text at depth")))),
        Explicit(0x7FE00010, "OW", [1, 2, 3, 4]));

    internal static Deidentifier NewDeidentifier(IMappingStore store, byte[]? key = null, ProfileOptions options = ProfileOptions.None, bool allowDeidentified = false) =>
        new(new DeidentificationOptions { ProfileOptions = options, ReplacementKey = key, AllowAlreadyDeidentified = allowDeidentified },
            store, new FixedCertificate(Certificate.Value));

    internal static async Task<byte[]> RunAsync(Deidentifier deidentifier, byte[] input)
    {
        using var file = await DicomFile.OpenAsync(new MemoryStream(input));
        await deidentifier.DeidentifyAsync(file);
        using var output = new MemoryStream();
        await file.SaveAsync(output);
        return output.ToArray();
    }

    internal static void AssertNoMarker(byte[] output, params string[] originals)
    {
        byte[] searchable = Searchable(output);
        Assert.False(PlantedPhi.ContainsMarker(searchable), "a planted marker is readable in the output");
        string latin1 = Encoding.Latin1.GetString(searchable);
        foreach (string original in originals) Assert.DoesNotContain(original, latin1, StringComparison.Ordinal);
    }

    internal static string Listing(DicomDataset dataset)
    {
        using var text = new StringWriter();
        DicomDump.Write(dataset, text, DicomCharacterSet.Default, 0);
        // Sequence length encoding may differ (the plaintext is written with undefined lengths, as gdcmanon's).
        return System.Text.RegularExpressions.Regex.Replace(System.Text.RegularExpressions.Regex.Replace(text.ToString(), "(, | with )undefined length", ""), @"[ \t]+", " ");
    }

    internal static IEnumerable<DicomSequence> FindAll(DicomDataset dataset, DicomTag tag)
    {
        foreach (var element in dataset.Elements)
        {
            if (element is not DicomSequence sequence) continue;
            if (sequence.Tag == tag) yield return sequence;
            foreach (var found in sequence.Items.SelectMany(item => FindAll(item, tag))) yield return found;
        }
    }

    internal sealed class FixedCertificate(X509Certificate2 certificate) : ICertificateSource
    {
        public ValueTask<X509Certificate2> GetEncryptionCertificateAsync(CancellationToken cancellationToken = default) =>
            ValueTask.FromResult(X509CertificateLoader.LoadCertificate(certificate.RawData));
    }

    internal sealed class FixedKey(X509Certificate2 certificate) : IDecryptionKeySource
    {
        public ValueTask<X509Certificate2> GetDecryptionCertificateAsync(CancellationToken cancellationToken = default) => ValueTask.FromResult(certificate);
    }
}

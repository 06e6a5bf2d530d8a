using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using CloudAnon.Core.Mapping;
using CloudAnon.Core.Profile;
using CloudAnon.Core.Reversible;
using CloudAnon.Dicom;
using CloudAnon.TestSupport;
using static CloudAnon.TestSupport.RawDicom;
using static CloudAnon.Core.Tests.Engine.RealWorldFiles;

namespace CloudAnon.Core.Tests.Engine;

/// <summary>Replacements stay consistent across studies, engines and hospitals: one original, one replacement; two patients stay two. Files written byte by byte (<see cref="RealWorldFiles"/>).</summary>
public sealed class ConsistentReplacementTests
{
    [Fact]
    public async Task A_uid_shared_by_two_studies_gets_one_replacement_in_either_order_and_separate_processes()
    {
        byte[] key = RandomNumberGenerator.GetBytes(32);
        const string laterStudy = "1.2.826.0.1.3680043.10.999.200";
        byte[] prior = UnEncodedCt(ExplicitLittleEndian);
        // The later study references the prior study, its instance, and shares its Frame of Reference (a PET/CT).
        byte[] later = File(ExplicitLittleEndian, [],
            Explicit(0x00080016, "UI", "1.2.840.10008.5.1.4.1.1.128"), Explicit(0x00080018, "UI", "1.2.826.0.1.3680043.10.999.202"),
            Explicit(0x00100020, "LO", "PHIMARKPID"), Explicit(0x0020000D, "UI", laterStudy), Explicit(0x0020000E, "UI", "1.2.826.0.1.3680043.10.999.201"),
            Explicit(0x00200052, "UI", FrameOfReferenceUid),
            Explicit(0x0040A375, "SQ", Items(Join(
                Explicit(0x0020000D, "UI", StudyUid),
                Explicit(0x00081115, "SQ", Items(Join(
                    Explicit(0x0020000E, "UI", SeriesUid),
                    Explicit(0x00081199, "SQ", Items(Join(Explicit(0x00081150, "UI", "1.2.840.10008.5.1.4.1.1.2"), Explicit(0x00081155, "UI", SopUid)))))))))));

        // Each engine has its own store, as two processes on two days would without the shared table: the key alone agrees.
        var priorFirst = (await RunAsync(NewDeidentifier(new InMemoryMappingStore(), key), prior), await RunAsync(NewDeidentifier(new InMemoryMappingStore(), key), later));
        var laterFirst = (await RunAsync(NewDeidentifier(new InMemoryMappingStore(), key), later), await RunAsync(NewDeidentifier(new InMemoryMappingStore(), key), prior));

        foreach (var (priorOutput, laterOutput) in new[] { priorFirst, (laterFirst.Item2, laterFirst.Item1) })
        {
            using var p = await DicomFile.OpenAsync(new MemoryStream(priorOutput));
            using var l = await DicomFile.OpenAsync(new MemoryStream(laterOutput));
            var evidence = ((DicomSequence)l.Dataset.Find(new DicomTag(0x0040, 0xA375))!).Items[0];
            var series = ((DicomSequence)evidence.Find(new DicomTag(0x0008, 0x1115))!).Items[0];
            var instance = ((DicomSequence)series.Find(new DicomTag(0x0008, 0x1199))!).Items[0];
            Assert.Equal(p.Dataset.GetAsciiString(DicomTag.StudyInstanceUid), evidence.GetAsciiString(DicomTag.StudyInstanceUid));
            Assert.Equal(p.Dataset.GetAsciiString(DicomTag.SeriesInstanceUid), series.GetAsciiString(DicomTag.SeriesInstanceUid));
            Assert.Equal(p.Dataset.GetAsciiString(DicomTag.SopInstanceUid), instance.GetAsciiString(new DicomTag(0x0008, 0x1155)));
            Assert.Equal(p.Dataset.GetAsciiString(new DicomTag(0x0020, 0x0052)), l.Dataset.GetAsciiString(new DicomTag(0x0020, 0x0052)));
            AssertNoMarker(laterOutput, StudyUid, SeriesUid, SopUid, FrameOfReferenceUid);
        }
    }

    [Fact]
    public async Task Two_hospitals_with_the_same_patient_id_are_two_patients()
    {
        var store = new InMemoryMappingStore();
        var deidentifier = NewDeidentifier(store);
        async Task<string?> PseudonymFrom(string issuer, string sop)
        {
            byte[] input = File(ExplicitLittleEndian, [],
                Explicit(0x00080016, "UI", "1.2.840.10008.5.1.4.1.1.2"), Explicit(0x00080018, "UI", sop),
                Explicit(0x00100020, "LO", "12345"), Explicit(0x00100021, "LO", issuer), Explicit(0x0020000D, "UI", sop + ".1"), Explicit(0x0020000E, "UI", sop + ".2"));
            using var result = await DicomFile.OpenAsync(new MemoryStream(await RunAsync(deidentifier, input)));
            return result.Dataset.GetAsciiString(DicomTag.PatientId);
        }

        string? first = await PseudonymFrom("HOSPITAL A", "1.2.826.0.1.3680043.10.999.301");
        string? again = await PseudonymFrom("HOSPITAL A", "1.2.826.0.1.3680043.10.999.302");
        string? other = await PseudonymFrom("HOSPITAL B", "1.2.826.0.1.3680043.10.999.303");
        Assert.Equal(first, again);
        Assert.NotEqual(first, other);
    }
}

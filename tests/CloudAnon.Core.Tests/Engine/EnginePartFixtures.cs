using CloudAnon.Core.Engine;
using CloudAnon.Core.Profile;
using CloudAnon.Dicom;

namespace CloudAnon.Core.Tests.Engine;

/// <summary>The real parts of the engine as the Deidentifier assembles them, for tests of one part's contract.</summary>
internal static class EnginePartFixtures
{
    public const string CtImageStorage = "1.2.840.10008.5.1.4.1.1.2";

    /// <summary>A CT instance's identifying top level: what the policy and the planner decide on.</summary>
    public static DicomDataset CtDataset(string patientId = "PID-4711", string patientName = "Doe^Jane")
    {
        var dataset = new DicomDataset();
        dataset.Set(DicomValueElement.FromString(DicomTag.SopClassUid, DicomVR.UI, CtImageStorage));
        dataset.Set(DicomValueElement.FromString(DicomTag.SopInstanceUid, DicomVR.UI, "1.2.3.4.5.6.7"));
        dataset.Set(DicomValueElement.FromString(DicomTags.StudyDate, DicomVR.DA, "20240131"));
        dataset.Set(DicomValueElement.FromString(DicomTags.PatientName, DicomVR.PN, patientName));
        dataset.Set(DicomValueElement.FromString(DicomTag.PatientId, DicomVR.LO, patientId));
        dataset.Set(DicomValueElement.FromString(DicomTag.StudyInstanceUid, DicomVR.UI, "1.2.3.4.5"));
        return dataset;
    }

    /// <summary>The policy the Deidentifier makes for <paramref name="dataset"/>; <paramref name="isSafePrivate"/> answers for Retain Safe Private.</summary>
    public static ElementPolicy Policy(DicomDataset dataset, ProfileOptions options = ProfileOptions.None, Func<string, byte, bool>? isSafePrivate = null) =>
        new(ProfileTable.Current, UnlistedAttributes.Current, new DeidentificationOptions { ProfileOptions = options },
            IodAttributeTypes.ForSopClass(dataset.GetAsciiString(DicomTag.SopClassUid)), new ConditionalTypes(dataset),
            dataset.Contains(DicomTags.ReferencedSeriesSequence), isSafePrivate ?? ((_, _) => false));

    /// <summary>A data set read without UN values to interpret: every element is its own original.</summary>
    public static InterpretedDataset AsRead(DicomDataset dataset) =>
        new(dataset, new Dictionary<DicomElement, DicomElement>(), new HashSet<DicomElement>());

    public static DatasetPlan Plan(DicomDataset dataset, ProfileOptions options = ProfileOptions.None, Func<string, byte, bool>? isSafePrivate = null) =>
        new DatasetPlanner(Policy(dataset, options, isSafePrivate), AsRead(dataset)).Plan();

    public static PlannedElement Planned(DatasetPlan plan, DicomTag tag) => plan.Elements.Single(p => p.Element.Tag == tag);
}

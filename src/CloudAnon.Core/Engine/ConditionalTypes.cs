using CloudAnon.Core.Profile;
using CloudAnon.Dicom;

namespace CloudAnon.Core.Engine;

/// <summary>
/// The conditions of Type 1C and 2C attributes (PS3.3) that the data set itself decides, for the attributes whose action
/// depends on them. A condition that holds makes the attribute required (1 or 2); one that does not makes it optional
/// (3), so a combined action with X removes it. Conditions that depend on what the data set cannot tell (whether a
/// procedure step was scheduled, whether images are temporally related) are left alone: the attribute is present, so
/// its condition presumably holds.
/// </summary>
internal sealed class ConditionalTypes
{

    /// <summary>Patient and Patient Study modules, "Required if the Patient is an animal. May be present otherwise." (PS3.3 C.7.1.1, C.7.2.2).</summary>
    private static readonly DicomTag[] RequiredForAnimals =
    [
        DicomTags.ResponsiblePerson,
        DicomTags.ResponsibleOrganization,
        DicomTags.PatientSexNeutered,
    ];

    /// <summary>Approval module, "Required if Approval Status is APPROVED or REJECTED. May be present otherwise." (PS3.3 C.8.8.16).</summary>
    private static readonly DicomTag[] RequiredForReviewed =
    [
        DicomTags.ReviewDate,
        DicomTags.ReviewTime,
        DicomTags.ReviewerName,
    ];

    private readonly bool _isAnimal;
    private readonly bool _isReviewed;

    /// <param name="dataset">The top level of the instance.</param>
    public ConditionalTypes(DicomDataset dataset)
    {
        // The species attributes are 1C, "Required if the Patient is an animal": their presence says it is one.
        _isAnimal = dataset.Contains(DicomTags.PatientSpeciesDescription) || dataset.Contains(DicomTags.PatientSpeciesCodeSequence);
        _isReviewed = dataset.GetAsciiString(DicomTags.ApprovalStatus)?.Trim(' ', '\0') is "APPROVED" or "REJECTED";
    }

    /// <summary>The type of <paramref name="tag"/> at <paramref name="path"/> once a decidable condition is evaluated; <paramref name="type"/> otherwise.</summary>
    public AttributeType? Resolve(ReadOnlySpan<DicomTag> path, DicomTag tag, AttributeType? type)
    {
        if (type is not (AttributeType.Type1C or AttributeType.Type2C) || !path.IsEmpty) return type;
        bool? holds = Array.IndexOf(RequiredForAnimals, tag) >= 0 ? _isAnimal
            : Array.IndexOf(RequiredForReviewed, tag) >= 0 ? _isReviewed
            : null;
        return holds switch
        {
            null => type,
            true => type == AttributeType.Type1C ? AttributeType.Type1 : AttributeType.Type2,
            false => AttributeType.Type3,
        };
    }
}

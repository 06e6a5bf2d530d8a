namespace CloudAnon.Dicom;

/// <summary>What <see cref="DicomDataset.Normalize"/> changed so that a data set encodes validly.</summary>
public enum StructureRepairKind
{
    /// <summary>A second element with the tag of an earlier one was dropped (the first is kept).</summary>
    DuplicateDropped,

    /// <summary>Elements out of ascending tag order (such as elements after Pixel Data) were put in order; the tag is the first found out of place.</summary>
    Reordered,
}

/// <summary>One change to a data set's structure, by tag only: it never carries a value.</summary>
public readonly record struct StructureRepair(StructureRepairKind Kind, DicomTag Tag)
{
    public override string ToString() => Kind == StructureRepairKind.DuplicateDropped ? $"duplicate element {Tag} dropped" : $"elements reordered from {Tag}";
}

using CloudAnon.Dicom;

namespace CloudAnon.Core.Engine;

/// <summary>
/// A data set or item with the action decided for each of its elements in its context: the character set its text
/// is in, and the plans of the items of every sequence in it. Made once per file
/// by <see cref="DatasetPlanner"/>; the collecting pass and the writing pass both walk it, so they cannot disagree.
/// </summary>
internal sealed class DatasetPlan(DicomDataset source, DicomCharacterSet characterSet, ItemContext context, PlannedElement[] elements)
{
    public DicomDataset Source { get; } = source;
    public DicomCharacterSet CharacterSet { get; } = characterSet;

    /// <summary>The context its elements were decided in (a dummy or cleaned sequence's items, or neither).</summary>
    public ItemContext Context { get; } = context;
    public PlannedElement[] Elements { get; } = elements;
}

/// <summary>One element and what happens to it; <see cref="Items"/> holds the plans of a sequence's items (empty otherwise).</summary>
internal readonly record struct PlannedElement(DicomElement Element, ElementAction Action, DatasetPlan[] Items)
{
    /// <summary>The element is in the output in some form (kept, cleaned, replaced, or a sequence whose items are processed).</summary>
    public bool Stays => Action is not (ElementAction.Remove or ElementAction.Zero or ElementAction.DummyCode);
}

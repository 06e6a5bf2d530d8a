using CloudAnon.Dicom;

namespace CloudAnon.Core.Engine;

/// <summary>
/// The text values the profile takes away from a file, which the free-text cleaner cuts wherever they recur: names (PN),
/// dates (DA) and the other string values, from every depth. Decoded from the plan when the cleaner first asks: most
/// files have no text to clean, and decoding every removed value (kilobytes of private text among them) would be wasted.
/// </summary>
internal sealed class IdentifyingText
{
    private readonly DatasetPlan? _plan;
    private (List<string> Values, List<string> Names, List<string> Dates)? _gathered;

    private IdentifyingText(DatasetPlan? plan) => _plan = plan;

    /// <summary>Nothing to cut but what the cleaner's patterns and gazetteer find.</summary>
    public static IdentifyingText None => new(null);

    public static IdentifyingText Of(DatasetPlan plan) => new(plan);

    public IReadOnlyList<string> Values => Gathered.Values;

    public IReadOnlyList<string> Names => Gathered.Names;

    public IReadOnlyList<string> Dates => Gathered.Dates;

    private (List<string> Values, List<string> Names, List<string> Dates) Gathered
    {
        get
        {
            if (_gathered is { } gathered) return gathered;
            gathered = ([], [], []);
            if (_plan is not null) Gather(_plan, gathered);
            return (_gathered = gathered).Value;
        }
    }

    // Values the profile takes away are what identifies; values it cleans are what gets cleaned.
    private static void Gather(DatasetPlan plan, (List<string> Values, List<string> Names, List<string> Dates) into)
    {
        foreach (var planned in plan.Elements)
        {
            switch (planned.Element)
            {
                case DicomSequence:
                    foreach (var item in planned.Items) Gather(item, into);
                    break;
                case DicomValueElement { Bulk: null } value when planned.Action is not (ElementAction.Keep or ElementAction.Clean) && value.VR.IsString:
                    var values = value.VR == DicomVR.DA ? into.Dates : value.VR == DicomVR.PN ? into.Names : into.Values;
                    values.Add(ProfilePass.Decode(value, plan.CharacterSet));
                    break;
            }
        }
    }
}

using System.Globalization;
using System.Security.Cryptography;
using CloudAnon.Core.Profile;
using CloudAnon.Dicom;

namespace CloudAnon.Core.Engine;

/// <summary>The consistent replacements of one file: new UIDs, the patient's pseudonym and date offset, and the text cleaner.</summary>
internal sealed record Replacements(
    IReadOnlyDictionary<string, string> Uids,
    string PatientPseudonym,
    int? DateOffsetDays,
    TextCleaner Cleaner);

/// <summary>
/// First pass over a file's plan: gathers every UID to replace and the identifying values, then resolves all
/// replacements in one batched call to the mapping store (one round trip for a known study).
/// </summary>
internal sealed class ReplacementPlan(DeidentificationOptions options, UidGenerator uidGenerator, IMappingStore mappingStore)
{

    // Shifted dates move back between one and ten years; the offset is per patient and kept in the mapping store.
    private const int MinimumOffsetDays = 365;
    private const int MaximumOffsetDays = 3652;

    private readonly HashSet<string> _uids = new(StringComparer.Ordinal);
    private readonly List<string> _identifyingValues = [];
    private readonly List<string> _identifyingNames = [];
    private readonly List<string> _identifyingDates = [];

    public async Task<Replacements> ResolveAsync(DatasetPlan plan, string studyUid, CancellationToken cancellationToken)
    {
        Collect(plan, collectUids: true);

        var (scope, patientKey) = PatientKey(plan.Source, studyUid);
        var requests = new List<MappingRequest>(_uids.Count + 2)
        {
            new(scope, patientKey, MappingKind.Pseudonym, patientKey, "ANON-" + Convert.ToHexString(RandomNumberGenerator.GetBytes(6))),
        };
        bool shiftDates = options.ProfileOptions.Contains(ProfileOption.RetainLongitudinalModifiedDates);
        if (shiftDates)
        {
            int days = -RandomNumberGenerator.GetInt32(MinimumOffsetDays, MaximumOffsetDays + 1);
            requests.Add(new(scope, patientKey, MappingKind.DateOffset, patientKey, days.ToString(CultureInfo.InvariantCulture)));
        }
        var uids = _uids.ToList();
        requests.AddRange(uids.Select(uid => new MappingRequest(MappingScope.Study, studyUid, MappingKind.Uid, uid, uidGenerator.Replacement(uid))));

        IReadOnlyList<string> stored;
        try
        {
            stored = await mappingStore.GetOrAddAsync(requests, cancellationToken).ConfigureAwait(false);
        }
        catch (Mapping.MappingStoreException e)
        {
            throw new DeidentificationException(DeidentificationFailure.MappingStoreUnavailable, "The mapping store could not resolve the replacements.", e);
        }

        int firstUid = shiftDates ? 2 : 1;
        var uidMap = new Dictionary<string, string>(uids.Count, StringComparer.Ordinal);
        for (int i = 0; i < uids.Count; i++) uidMap[uids[i]] = stored[firstUid + i];
        int? offset = shiftDates ? int.Parse(stored[1], CultureInfo.InvariantCulture) : null;
        bool keepDates = options.ProfileOptions.Contains(ProfileOption.RetainLongitudinalFullDates);
        var cleaner = new TextCleaner(_identifyingValues, _identifyingNames, _identifyingDates, uid => uidMap.GetValueOrDefault(uid) ?? uidGenerator.Replacement(uid),
            offset, keepDates, NameGazetteer.Default);
        return new Replacements(uidMap, stored[0], offset, cleaner);
    }

    /// <summary>
    /// The free-text cleaner for text read in a file's pixels (pixel-text=identifying): it cuts every identifying value of
    /// the plan and every name it knows, as in the file's own text attributes, and every date; UIDs stay as they are. A
    /// line identifies when cleaning changes it.
    /// </summary>
    public TextCleaner IdentifyingTextCleaner(DatasetPlan plan)
    {
        Collect(plan, collectUids: false);
        return new TextCleaner(_identifyingValues, _identifyingNames, _identifyingDates, uid => uid, dateOffsetDays: null, keepDates: false, NameGazetteer.Default);
    }

    /// <summary>
    /// Patient-scoped rows are keyed by Patient ID qualified by its issuer (two hospitals' "12345" are two patients),
    /// or by name and birth date when the ID is empty, or else by study.
    /// </summary>
    private static (MappingScope Scope, string Key) PatientKey(DicomDataset dataset, string studyUid)
    {
        string id = dataset.GetAsciiString(DicomTag.PatientId) ?? "";
        string issuer = dataset.GetAsciiString(DicomTags.IssuerOfPatientID) ?? "";
        // A backslash cannot occur inside a single LO value, so it separates the two unambiguously.
        if (id.Length > 0) return (MappingScope.Patient, issuer.Length > 0 ? id + "\\" + issuer : id);
        string nameAndBirth = dataset.GetAsciiString(DicomTags.PatientName) + "|" + dataset.GetAsciiString(DicomTags.PatientBirthDate);
        return nameAndBirth.Length > 1 ? (MappingScope.Patient, nameAndBirth) : (MappingScope.Study, studyUid);
    }

    /// <summary>Gathers UIDs to replace (not inside sequences that go away) and every identifying text value (everywhere, for cleaning free text).</summary>
    private void Collect(DatasetPlan plan, bool collectUids)
    {
        foreach (var planned in plan.Elements)
        {
            var action = planned.Action;
            switch (planned.Element)
            {
                case DicomSequence:
                    foreach (var item in planned.Items) Collect(item, collectUids && planned.Stays);
                    break;
                case DicomValueElement { Bulk: null } value when collectUids && (action == ElementAction.ReplaceUid || (action == ElementAction.Clean && value.VR == DicomVR.UI)):
                    foreach (string uid in value.GetAsciiString().Split('\\'))
                    {
                        if (uid.Length > 0 && !UidGenerator.IsWellKnown(uid)) _uids.Add(uid);
                    }
                    break;
                // Values the profile takes away are what identifies; values it cleans are what gets cleaned.
                case DicomValueElement { Bulk: null } value when action is not (ElementAction.Keep or ElementAction.Clean) && value.VR.IsString:
                    var values = value.VR == DicomVR.DA ? _identifyingDates : value.VR == DicomVR.PN ? _identifyingNames : _identifyingValues;
                    values.Add(ProfilePass.Decode(value, plan.CharacterSet));
                    break;
            }
        }
    }
}

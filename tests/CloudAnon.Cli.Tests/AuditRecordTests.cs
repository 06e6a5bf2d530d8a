using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using CloudAnon.Core.Audit;
using CloudAnon.Core.Profile;
using CloudAnon.Dicom;
using CloudAnon.Pixels;
using CloudAnon.TestSupport;

namespace CloudAnon.Cli.Tests;

/// <summary>
/// --audit DIR on a run with a de-identified file (reversible and irreversible) and two refused ones: one record each,
/// named by the new SOP Instance UID or opaquely; every action the record states is what pydicom reads in the output
/// (Oracles/dataset_listing.py); and no record holds a planted marker, original UID, date or input file name.
/// </summary>
public sealed partial class AuditRecordTests : IDisposable
{
    private const string PatientId = $"{PlantedPhi.Prefix}PATIENTID";
    private const string StudyUid = "1.2.826.0.1.3680043.10.999.13";
    private const string PlantedName = $"{PlantedPhi.Prefix}FILENAME.dcm";
    private const string RefusedName = $"{PlantedPhi.Prefix}ALREADYDEID.dcm";
    private const string NotDicomName = $"{PlantedPhi.Prefix}NOTDICOM.pdf";

    private readonly CliHarness _harness = new();

    public void Dispose() => _harness.Dispose();

    [Theory]
    [InlineData(true, "")]
    // Options that shift dates, clean text and keep by option: those actions are judged against the output too.
    [InlineData(false, "retain-longitudinal-modified-dates,clean-descriptors,retain-device-identity")]
    public async Task Each_file_gets_one_record_that_states_what_the_output_shows_and_no_identifier(bool reversible, string options)
    {
        var planted = await PlantAsync();
        _harness.Copy("phi/dcm_qa_deident_00001_already_deidentified.dcm", "in", RefusedName);
        _harness.Copy(CliHarness.NotDicom, "in", NotDicomName);
        string[] mode = reversible ? ["-c", _harness.CertificatePath] : ["--irreversible"];
        string[] optionArguments = options.Length == 0 ? [] : ["--option", options];
        var run = CliHarness.InProcess(["-e", .. mode, .. optionArguments, "--continue", "--audit", _harness.Path("audit"), "-i", _harness.Path("in"), "-o", _harness.Path("out")]);
        Assert.True(run.ExitCode == 1, run.Error); // the two refused files

        var records = Directory.GetFiles(_harness.Path("audit")).ToDictionary(path => path, path => File.ReadAllBytes(path));
        Assert.Equal(3, records.Count);
        var parsed = records.ToDictionary(r => Path.GetFileName(r.Key), r => AuditRecord.FromJson(r.Value));
        foreach (var json in records.Values)
        {
            using var document = JsonDocument.Parse(json);
            Assert.Equal(AuditRecord.CurrentSchemaVersion, document.RootElement.GetProperty("schemaVersion").GetInt32());
        }

        var refusals = parsed.Where(r => r.Value.Outcome == AuditOutcome.Refused).ToList();
        Assert.Equal(["AlreadyDeidentified", "NotDicom"], refusals.Select(r => r.Value.Reason).Order());
        Assert.All(refusals, r =>
        {
            Assert.Matches("^refused-[0-9a-f]{32}\\.json$", r.Key);
            Assert.Null(r.Value.SopInstanceUid);
            Assert.Empty(r.Value.Attributes);
            Assert.Equal(reversible, r.Value.Profile.Reversible);
        });

        var (name, record) = Assert.Single(parsed, r => r.Value.Outcome == AuditOutcome.Deidentified);
        string output = _harness.Path("out", PlantedName);
        using (var file = await DicomFile.OpenAsync(File.OpenRead(output)))
        {
            Assert.Equal($"{file.Dataset.GetAsciiString(DicomTag.SopInstanceUid)}.json", name);
            Assert.Equal(file.Dataset.GetAsciiString(DicomTag.StudyInstanceUid), record.StudyInstanceUid);
            Assert.Equal(file.Dataset.GetAsciiString(DicomTag.SeriesInstanceUid), record.SeriesInstanceUid);
            Assert.Equal(file.TransferSyntax.Uid, record.TransferSyntaxUid);
        }
        Assert.Equal(reversible, record.Profile.Reversible);
        Assert.Matches("^[0-9]{4}[a-e]$", record.Profile.TableEdition);
        Assert.Matches("^[0-9]+\\.[0-9]+\\.[0-9]+", record.CloudAnonVersion);
        Assert.Equal(PixelOutcome.NotCandidate, record.Pixels?.Outcome);
        Assert.Contains(record.Attributes, a => a.Path == "(0010,0010)" && a.Action == AttributeAction.Pseudonym);
        if (options.Length > 0)
        {
            Assert.Equal(options.Split(',').Order(), record.Profile.Options.Where(o => !o.Contains('=')).Order());
            Assert.All([AttributeAction.ShiftedDate, AttributeAction.CleanedText, AttributeAction.KeptByOption], action => Assert.Contains(record.Attributes, a => a.Action == action));
        }
        Assert.Equal(reversible, record.Attributes.Any(a => a.Path == "(0400,0500)" && a.Action == AttributeAction.Added));

        AssertActionsMatchOutput(record, _harness.Path("in", PlantedName), output);
        AssertNoIdentifier(records.Values, planted);
    }

    private async Task<PlantedPhi.Planted> PlantAsync()
    {
        var rows = ProfileTable.Current.Rows
            .Where(row => !row.IsPattern && row.Tag.Group != 0x0002)
            .Select(row => (row.Tag, VR: DicomDictionary.GetVR(row.Tag)))
            .Where(row => row.VR != DicomVR.UN);
        var planted = PlantedPhi.Create(rows, PatientId, StudyUid);
        Directory.CreateDirectory(_harness.Path("in"));
        await using (var stream = File.Create(_harness.Path("in", PlantedName)))
        {
            await planted.File.SaveAsync(stream);
        }
        return planted;
    }

    /// <summary>
    /// Each path of the input and of the output has a record entry (its own or a sequence's around it), and each path the record gives one action has the
    /// output pydicom reads: gone when removed, empty when emptied, the input's values when kept or unchanged, other
    /// values when replaced, shifted, cleaned, given a dummy or the pseudonym, new when added.
    /// </summary>
    private static void AssertActionsMatchOutput(AuditRecord record, string input, string output)
    {
        var before = Listing(input);
        var after = Listing(output);
        var actions = record.Attributes.GroupBy(a => a.Path).ToDictionary(g => g.Key, g => g.Select(a => a.Action).ToList());
        // A removed, emptied or added sequence's entry stands for what is inside it.
        Assert.All(before.Keys.Concat(after.Keys), path => Assert.True(SelfAndAncestors(path).Any(actions.ContainsKey), $"no record entry for {path} or a sequence around it"));

        int judged = 0;
        foreach (var (path, pathActions) in actions)
        {
            if (pathActions.Count != 1 || path.EndsWith(",0000)", StringComparison.Ordinal)) continue; // mixed per item; group lengths are not listed
            var was = before.GetValueOrDefault(path, []);
            var now = after.GetValueOrDefault(path, []);
            string what = $"{path} {pathActions[0]}: [{string.Join(" | ", was)}] -> [{string.Join(" | ", now)}]";
            switch (pathActions[0])
            {
                case AttributeAction.Removed:
                    Assert.True(now.Count == 0, what);
                    break;
                case AttributeAction.Emptied:
                    Assert.True(now.Count > 0 && now.All(v => v is "[]" or "items=0"), what);
                    break;
                case AttributeAction.Kept or AttributeAction.KeptByOption or AttributeAction.KeptByAllowList or AttributeAction.Unchanged:
                    Assert.True(was.Count == now.Count && (was.All(v => v.StartsWith("items=", StringComparison.Ordinal)) || was.Order().SequenceEqual(now.Order())), what);
                    break;
                case AttributeAction.ReplacedUid or AttributeAction.ShiftedDate or AttributeAction.CleanedText or AttributeAction.Dummy or AttributeAction.Pseudonym:
                    Assert.True(now.Count > 0 && !now.Intersect(was.Where(v => v != "[]")).Any(), what);
                    break;
                case AttributeAction.DummyCode:
                    Assert.True(now.SequenceEqual(["items=1"]), what);
                    break;
                case AttributeAction.Added:
                    Assert.True(was.Count == 0 && now.Count > 0, what);
                    break;
                default: // cleaned-items, dummy-items, set: the element stays, its content judged path by path
                    Assert.True(now.Count > 0, what);
                    break;
            }
            judged++;
        }
        Assert.True(judged > 100, $"only {judged} paths judged");
    }

    private static IEnumerable<string> SelfAndAncestors(string path)
    {
        for (int end = path.Length; end > 0; end = path.LastIndexOf('/', end - 1))
        {
            yield return path[..end];
        }
    }

    /// <summary>pydicom's listing as path (item numbers dropped, '/' between levels, the record's form) → values.</summary>
    private static Dictionary<string, List<string>> Listing(string file)
    {
        var run = ExternalTool.Run("/usr/bin/python3", [Path.Combine(AppContext.BaseDirectory, "Oracles", "dataset_listing.py"), file], TimeSpan.FromMinutes(1));
        Assert.True(run.ExitCode == 0, run.StandardError);
        var listing = new Dictionary<string, List<string>>();
        foreach (string line in run.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => !l.StartsWith('#')))
        {
            int space = line.IndexOf(' ', StringComparison.Ordinal);
            string path = ItemNumber().Replace(line[..space], "/").ToUpperInvariant();
            string rest = line[(space + 1)..];
            string value = rest.StartsWith("SQ items=", StringComparison.Ordinal) ? rest[3..] : rest[(rest.IndexOf(' ', StringComparison.Ordinal) + 1)..];
            (listing.TryGetValue(path, out var values) ? values : listing[path] = []).Add(value);
        }
        return listing;
    }

    [GeneratedRegex(@"\[\d+\]")]
    private static partial Regex ItemNumber();

    private static void AssertNoIdentifier(IEnumerable<byte[]> records, PlantedPhi.Planted planted)
    {
        string[] identifiers =
        [
            PatientId, StudyUid, PlantedName, RefusedName, NotDicomName, Path.GetFileNameWithoutExtension(PlantedName),
            "dcm_qa_deident", "HelloWorld", .. planted.Uids, .. planted.Dates,
        ];
        foreach (var bytes in records)
        {
            Assert.False(PlantedPhi.ContainsMarker(bytes));
            string text = Encoding.UTF8.GetString(bytes);
            Assert.All(identifiers, identifier => Assert.DoesNotContain(identifier, text, StringComparison.OrdinalIgnoreCase));
        }
    }
}

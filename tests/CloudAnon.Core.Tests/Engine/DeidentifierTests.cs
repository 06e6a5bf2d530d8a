using System.Text;
using CloudAnon.Core.Profile;
using CloudAnon.Dicom;
using CloudAnon.TestSupport;

namespace CloudAnon.Core.Tests.Engine;

public sealed class DeidentifierTests
{
    private static PlantedPhi.Planted Plant(string patientId = "PHIMARKPATIENT", string studyUid = "1.2.826.0.1.3680043.10.999.1", int seed = 0) =>
        PlantedPhi.Create(EngineHarness.ExactProfileRows(), patientId, studyUid, seed);

    [Fact]
    public async Task No_planted_marker_uid_or_date_is_left_anywhere_in_the_output()
    {
        var planted = Plant();
        var (_, output) = await new EngineHarness().RunAsync(planted.File);

        Assert.False(PlantedPhi.ContainsMarker(output), "a planted marker is readable in the output");
        string latin1 = Encoding.Latin1.GetString(output);
        Assert.DoesNotContain(planted.Uids, uid => latin1.Contains(uid, StringComparison.Ordinal));
        Assert.DoesNotContain(planted.Dates, date => latin1.Contains(date, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Every_row_of_table_E_1_1_is_obeyed_at_top_level_by_the_attributes_type_in_the_ct_iod()
    {
        var planted = Plant();
        var before = planted.File.Dataset.Elements.ToDictionary(e => e.Tag);
        var (_, output) = await new EngineHarness().RunAsync(planted.File);
        using var result = await EngineHarness.ReadAsync(output);
        var ct = IodAttributeTypes.ForSopClass("1.2.840.10008.5.1.4.1.1.2");
        var failures = new List<string>();
        foreach (var (tag, _) in EngineHarness.ExactProfileRows())
        {
            if (!before.TryGetValue(tag, out var original)) continue;
            var action = ProfileTable.Current.Resolve(tag, ProfileOptions.None);
            var type = IsHumanOnlyOptional(tag, before) ? AttributeType.Type3 : ct.TypeOf([], tag);
            string? problem = Check(Expected(action, type, original), original, result.Dataset.Find(tag));
            if (problem is not null) failures.Add($"{tag} {action} {type}: {problem}");
        }
        Assert.True(failures.Count == 0, string.Join('\n', failures));
    }

    /// <summary>
    /// Responsible Person, Responsible Organization and Patient's Sex Neutered are Type 2C, "Required if the Patient is
    /// an animal. May be present otherwise": a patient without Patient Species Description or Code Sequence is none.
    /// </summary>
    private static bool IsHumanOnlyOptional(DicomTag tag, Dictionary<DicomTag, DicomElement> planted) =>
        tag.Group == 0x0010 && tag.Element is 0x2203 or 0x2297 or 0x2299
        && !planted.ContainsKey(new DicomTag(0x0010, 0x2201)) && !planted.ContainsKey(new DicomTag(0x0010, 0x2202));

    private enum Outcome { Removed, Emptied, Dummy, NewUid, Kept, Pseudonym }

    /// <summary>
    /// PS3.15 E.1.1 with the Type of the attribute in the IOD (PS3.3): a combined cell is X for Type 3 or an attribute
    /// the IOD lacks, Z for Type 2, D or U for Type 1; a required attribute is never removed or emptied.
    /// </summary>
    private static Outcome Expected(ProfileAction action, AttributeType? type, DicomElement original)
    {
        if (original.Tag == DicomTag.PatientId || original.Tag == new DicomTag(0x0010, 0x0010)) return Outcome.Pseudonym;
        bool required = type is AttributeType.Type1 or AttributeType.Type1C, present = type is AttributeType.Type2 or AttributeType.Type2C;
        bool x = action.Has(ProfileActionCodes.Remove), z = action.Has(ProfileActionCodes.Zero), d = action.Has(ProfileActionCodes.Dummy), u = action.Has(ProfileActionCodes.ReplaceUid);
        Outcome outcome =
            required ? (u ? Outcome.NewUid : Outcome.Dummy)
            : present ? (z || x ? Outcome.Emptied : d ? Outcome.Dummy : Outcome.NewUid)
            : x ? Outcome.Removed : z ? Outcome.Emptied : d ? Outcome.Dummy : Outcome.NewUid;
        return outcome == Outcome.Dummy && original.VR == DicomVR.UI ? Outcome.NewUid : outcome;
    }

    private static string? Check(Outcome expected, DicomElement original, DicomElement? after)
    {
        if (expected == Outcome.Removed) return after is null ? null : "still present";
        if (after is null) return "removed";
        if (after is DicomSequence sequence)
        {
            return expected == Outcome.Emptied ? (sequence.Items.Count == 0 ? null : "sequence not emptied")
                : sequence.Items.Count > 0 ? null : "sequence emptied";
        }
        var value = (DicomValueElement)after;
        bool changed = !value.Bytes.Span.SequenceEqual(((DicomValueElement)original).Bytes.Span);
        return expected switch
        {
            Outcome.Emptied => value.Length == 0 ? null : "not emptied",
            Outcome.Dummy => value.Length > 0 && changed ? null : "no dummy value",
            Outcome.NewUid => changed && IsValidUid(value.GetAsciiString()) ? null : "UID not replaced by a valid new UID",
            Outcome.Pseudonym => value.GetAsciiString().StartsWith("ANON-", StringComparison.Ordinal) ? null : "no pseudonym",
            _ => changed ? "changed" : null,
        };
    }

    private static bool IsValidUid(string uid) =>
        uid.Length is > 0 and <= 64 && uid.Split('.').All(c => c.Length > 0 && c.All(char.IsAsciiDigit) && (c.Length == 1 || c[0] != '0'));

    [Fact]
    public async Task Pixel_data_is_copied_byte_for_byte_and_marks_are_added()
    {
        var planted = Plant();
        var (result, output) = await new EngineHarness().RunAsync(planted.File);
        using var file = await EngineHarness.ReadAsync(output);

        Assert.True(file.Dataset.TryGet<DicomValueElement>(DicomTag.PixelData, out var pixels));
        Assert.Equal(planted.PixelData, pixels.Bytes.ToArray());
        Assert.Equal("YES", file.Dataset.GetAsciiString(new DicomTag(0x0012, 0x0062)));
        Assert.StartsWith("Basic Application Confidentiality Profile", file.Dataset.GetAsciiString(new DicomTag(0x0012, 0x0063)));
        Assert.True(file.Dataset.TryGet<DicomSequence>(new DicomTag(0x0012, 0x0064), out var codes));
        Assert.Equal("113100", codes.Items[0].GetAsciiString(new DicomTag(0x0008, 0x0100)));
        Assert.Equal("REMOVED", file.Dataset.GetAsciiString(new DicomTag(0x0028, 0x0303)));
        Assert.True(file.Dataset.Contains(new DicomTag(0x0400, 0x0500)));
        Assert.Equal(result.SopInstanceUid, file.FileMetaInformation.GetAsciiString(DicomTag.MediaStorageSopInstanceUid));
        Assert.Null(file.FileMetaInformation.Find(new DicomTag(0x0002, 0x0016)));
    }

    [Fact]
    public async Task References_to_an_instance_get_the_same_replacement_as_the_instance_across_files()
    {
        var harness = new EngineHarness();
        var first = Plant(seed: 1);
        var second = Plant(seed: 2);
        string referenced = first.File.Dataset.GetAsciiString(DicomTag.SopInstanceUid)!;
        var reference = new DicomDataset();
        reference.Set(DicomValueElement.FromString(new DicomTag(0x0008, 0x1150), DicomVR.UI, "1.2.840.10008.5.1.4.1.1.2"));
        reference.Set(DicomValueElement.FromString(new DicomTag(0x0008, 0x1155), DicomVR.UI, referenced));
        // Referenced Series Sequence > Referenced SOP Sequence, as KOS and SEG evidence lists write it: kept, with U inside.
        var series = new DicomDataset();
        series.Set(new DicomSequence(new DicomTag(0x0008, 0x1199), [reference]));
        second.File.Dataset.Set(new DicomSequence(new DicomTag(0x0008, 0x1115), [series]));

        var (firstResult, _) = await harness.RunAsync(first.File);
        var (secondResult, secondOutput) = await harness.RunAsync(second.File);
        using var secondFile = await EngineHarness.ReadAsync(secondOutput);

        var item = ((DicomSequence)((DicomSequence)secondFile.Dataset.Find(new DicomTag(0x0008, 0x1115))!).Items[0].Find(new DicomTag(0x0008, 0x1199))!);
        Assert.Equal(firstResult.SopInstanceUid, item.Items[0].GetAsciiString(new DicomTag(0x0008, 0x1155)));
        Assert.Equal("1.2.840.10008.5.1.4.1.1.2", item.Items[0].GetAsciiString(new DicomTag(0x0008, 0x1150)));
        Assert.Equal(firstResult.StudyInstanceUid, secondResult.StudyInstanceUid);
    }

    [Fact]
    public async Task A_reference_at_depth_gets_the_same_replacement_as_the_attribute_it_refers_to()
    {
        var frameOfReference = new DicomTag(0x0020, 0x0052);
        var (_, output) = await new EngineHarness().RunAsync(Plant().File);
        using var file = await EngineHarness.ReadAsync(output);
        var roi = ((DicomSequence)file.Dataset.Find(new DicomTag(0x3006, 0x0020))!).Items[0];
        Assert.Equal(file.Dataset.GetAsciiString(frameOfReference), roi.GetAsciiString(new DicomTag(0x3006, 0x0024)));
        Assert.Equal(0, ((DicomValueElement)roi.Find(new DicomTag(0x3006, 0x0026))!).Length);
        Assert.Null(roi.Find(new DicomTag(0x3006, 0x0028)));
    }

    [Fact]
    public async Task Already_deidentified_input_is_refused_unless_allowed()
    {
        var (_, output) = await new EngineHarness().RunAsync(Plant().File);
        using var again = await EngineHarness.ReadAsync(output);
        var error = await Assert.ThrowsAsync<DeidentificationException>(() => new EngineHarness().Deidentifier.DeidentifyAsync(again));
        Assert.Equal(DeidentificationFailure.AlreadyDeidentified, error.Failure);
    }

    [Fact]
    public async Task A_file_without_SOP_Instance_UID_fails_closed_naming_the_tag()
    {
        var planted = Plant();
        planted.File.Dataset.Remove(DicomTag.SopInstanceUid);
        var error = await Assert.ThrowsAsync<DeidentificationException>(() => new EngineHarness().Deidentifier.DeidentifyAsync(planted.File));
        Assert.Equal(DeidentificationFailure.MissingSopInstanceUid, error.Failure);
        Assert.Contains("(0008,0018)", error.Message);
        Assert.DoesNotContain(PlantedPhi.Prefix, error.Message, StringComparison.OrdinalIgnoreCase);
    }
}

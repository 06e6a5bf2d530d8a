using CloudAnon.Generate;

// Regenerates the standard's tables the project embeds. The dictionary and the profile come from the innolitics JSON
// extracts in ../shared/reference, the IOD attribute types from highdicom's current IOD module maps (committed in
// tools/CloudAnon.Generate/highdicom-2026b), GDCM's XML extracts (Debian libgdcm3.0) and the reviewed overrides:
//   dotnet run --project tools/CloudAnon.Generate -- dictionary ../shared/reference/attributes.json src/CloudAnon.Dicom/Dictionary/dictionary.tsv
//   dotnet run --project tools/CloudAnon.Generate -- profile ../shared/reference/confidentiality_profile_attributes.json src/CloudAnon.Core/Profile/confidentiality-profile.tsv
//   dotnet run --project tools/CloudAnon.Generate -- iod /usr/share/gdcm-3.0/XML tools/CloudAnon.Generate/highdicom-2026b tools/CloudAnon.Generate/iod-type-overrides.tsv src/CloudAnon.Core/Profile/iod-attribute-types.tsv
// The allow-list over the dictionary comes from the dictionary, the profile and the hand review:
//   dotnet run --project tools/CloudAnon.Generate -- unlisted src/CloudAnon.Dicom/Dictionary/dictionary.tsv src/CloudAnon.Core/Profile/confidentiality-profile.tsv tools/CloudAnon.Generate/unlisted-attributes-review.tsv src/CloudAnon.Core/Profile/unlisted-attributes.tsv
// The named tags code uses come from the dictionary:
//   dotnet run --project tools/CloudAnon.Generate -- tags src/CloudAnon.Dicom/Dictionary/dictionary.tsv src/CloudAnon.Dicom/Dictionary/DicomTags.g.cs
if (args.Length != (args is ["iod" or "unlisted", ..] ? 5 : 3) || args[0] is not ("dictionary" or "profile" or "iod" or "unlisted" or "tags"))
{
    Console.Error.WriteLine("usage: CloudAnon.Generate (dictionary|profile) <input.json> <output.tsv>");
    Console.Error.WriteLine("       CloudAnon.Generate iod <GDCM XML directory> <highdicom _standard directory> <overrides.tsv> <output.tsv>");
    Console.Error.WriteLine("       CloudAnon.Generate unlisted <dictionary.tsv> <confidentiality-profile.tsv> <review.tsv> <output.tsv>");
    Console.Error.WriteLine("       CloudAnon.Generate tags <dictionary.tsv> <DicomTags.g.cs>");
    return 2;
}

try
{
    int rows = args[0] switch
    {
        "unlisted" => UnlistedAttributeGenerator.Generate(args[1], args[2], args[3], args[4]),
        "dictionary" => DictionaryGenerator.Generate(args[1], args[2]),
        "tags" => TagConstantsGenerator.Generate(args[1], args[2]),
        "profile" => ProfileGenerator.Generate(args[1], args[2]),
        _ => IodTypeGenerator.Generate(args[1], args[2], args[3], args[4]),
    };
    Console.WriteLine($"{args[^1]}: {rows} rows");
    return 0;
}
catch (Exception e) when (e is IOException or InvalidDataException or System.Text.Json.JsonException or System.Xml.XmlException)
{
    Console.Error.WriteLine($"{args[1]}: {e.Message}");
    return 1;
}

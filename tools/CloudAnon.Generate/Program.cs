using CloudAnon.Generate;

// Regenerates the standard's tables the project embeds, from the innolitics JSON extracts in ../shared/reference:
//   dotnet run --project tools/CloudAnon.Generate -- dictionary ../shared/reference/attributes.json src/CloudAnon.Dicom/Dictionary/dictionary.tsv
//   dotnet run --project tools/CloudAnon.Generate -- profile ../shared/reference/confidentiality_profile_attributes.json src/CloudAnon.Core/Profile/confidentiality-profile.tsv
if (args.Length != 3 || args[0] is not ("dictionary" or "profile"))
{
    Console.Error.WriteLine("usage: CloudAnon.Generate (dictionary|profile) <input.json> <output.tsv>");
    return 2;
}

try
{
    int rows = args[0] == "dictionary"
        ? DictionaryGenerator.Generate(args[1], args[2])
        : ProfileGenerator.Generate(args[1], args[2]);
    Console.WriteLine($"{args[2]}: {rows} rows");
    return 0;
}
catch (Exception e) when (e is IOException or InvalidDataException or System.Text.Json.JsonException)
{
    Console.Error.WriteLine($"{args[1]}: {e.Message}");
    return 1;
}

using System.Xml.Linq;

namespace CloudAnon.Generate;

/// <summary>
/// Storage SOP classes (GDCM's PS3.4 extract, Part4.xml) and the PS3.3 IOD each one uses. Part4.xml's iod column is
/// mostly empty, so the IOD is found by name: the SOP class name without "Storage" and "- For Presentation/Processing"
/// is the IOD table's name without "IOD Modules", spelling aside ("X-Ray" = "X Ray"), or one of <see cref="IodAliases"/>.
/// Some rows hold a SOP class name where the UID belongs (PS3.4 B.3's table of related general SOP classes); their
/// UID is looked up by the row's SOP class name in UIDs.xml ("Enhanced SR" as "Enhanced SR Storage").
/// </summary>
internal static class SopClassIods
{
    public sealed record SopClass(string Uid, string Name, Part3Tables.Iod Iod);

    /// <summary>SOP class names whose IOD carries another name (abbreviated or reworded) in PS3.3.</summary>
    private static readonly Dictionary<string, string> IodAliases = new(StringComparer.Ordinal)
    {
        ["Computed Radiography Image Storage"] = "CR Image IOD Modules",
        ["Ultrasound Image Storage"] = "US Image IOD Modules",
        ["Ultrasound Multi-frame Image Storage"] = "US Multi Frame Image IOD Modules",
        ["Nuclear Medicine Image Storage"] = "NM Image IOD Modules",
        ["Positron Emission Tomography Image Storage"] = "PET Image IOD Modules",
        ["PET Image Storage"] = "PET Image IOD Modules",
        ["Secondary Capture Image Storage"] = "SC Image IOD Modules",
        ["Multi-frame Single Bit Secondary Capture Image Storage"] = "Multi Frame Single Bit SC Image IOD Modules",
        ["Multi-frame Grayscale Byte Secondary Capture Image Storage"] = "Multi Frame Grayscale Byte SC Image IOD Modules",
        ["Multi-frame Grayscale Word Secondary Capture Image Storage"] = "Multi Frame Grayscale Word SC Image IOD Modules",
        ["Multi-frame True Color Secondary Capture Image Storage"] = "Multi Frame True Color SC Image IOD Modules",
        ["X-Ray Radiofluoroscopic Image Storage"] = "XRF Image IOD Modules",
        ["Enhanced XA Image Storage"] = "Enhanced X Ray Angiographic Image IOD Modules",
        ["Enhanced XRF Image Storage"] = "Enhanced X Ray RF Image IOD Modules",
        ["12-lead ECG Waveform Storage"] = "12 Lead ECG IOD Modules",
        ["General ECG Waveform Storage"] = "General ECG IOD Modules",
        ["Ambulatory ECG Waveform Storage"] = "Ambulatory ECG IOD Modules",
        ["Hemodynamic Waveform Storage"] = "Hemodynamic IOD Modules",
        ["Cardiac Electrophysiology Waveform Storage"] = "Basic Cardiac EP IOD Modules",
        ["Basic Voice Audio Waveform Storage"] = "Basic Voice Audio IOD Modules",
        ["Key Object Selection Storage"] = "Key Object Selection Document IOD Modules",
    };

    /// <summary>One row per SOP class UID that has an IOD in <paramref name="part3"/>, ordered by UID.</summary>
    public static IReadOnlyList<SopClass> Read(XDocument part4, XDocument uids, Part3Tables part3)
    {
        var uidsByName = (uids.Root ?? throw new InvalidDataException("UIDs.xml: no root element"))
            .Descendants("uid")
            .Where(u => (string?)u.Attribute("type") == "SOP Class")
            .GroupBy(u => UidKey(Required(u, "name")))
            .ToDictionary(g => g.Key, g => Required(g.First(), "value"), StringComparer.Ordinal);
        var iodsByName = part3.Iods
            .GroupBy(iod => NameKey(iod.Name))
            .ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);

        var sopClasses = new SortedDictionary<string, SopClass>(StringComparer.Ordinal);
        // Rows with a UID first: they carry PS3.4's own names for the classes that the other rows name again.
        var mappings = (part4.Root ?? throw new InvalidDataException("Part4.xml: no root element")).Descendants("mapping")
            .OrderBy(mapping => !IsUid(Required(mapping, "sop-class-uid")));
        foreach (var mapping in mappings)
        {
            string name = Required(mapping, "sop-class-name");
            string uidCell = Required(mapping, "sop-class-uid");
            string? uid = IsUid(uidCell) ? uidCell
                : uidsByName.GetValueOrDefault(UidKey(name)) ?? uidsByName.GetValueOrDefault(UidKey(name + " Storage"));
            string iodName = IodAliases.GetValueOrDefault(name, name);
            if (uid is null || !iodsByName.TryGetValue(NameKey(iodName), out var iod)) continue;
            if (sopClasses.TryGetValue(uid, out var known) && known.Iod != iod)
            {
                throw new InvalidDataException($"Part4.xml: {uid} maps to {known.Iod.Table} and {iod.Table}");
            }
            sopClasses.TryAdd(uid, new SopClass(uid, name, iod));
        }
        return [.. sopClasses.Values];
    }

    /// <summary>A name without the words that differ between PS3.4's SOP class and PS3.3's IOD names, in lower case.</summary>
    private static string NameKey(string name)
    {
        string[] ignored = ["storage", "iod", "modules", "for", "presentation", "processing"];
        var words = name.ToLowerInvariant().Replace('-', ' ').Replace('/', ' ')
            .Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Where(word => !ignored.Contains(word));
        return string.Join(' ', words);
    }

    /// <summary>UIDs.xml's name in lower case, white space collapsed.</summary>
    private static string UidKey(string name) =>
        string.Join(' ', name.ToLowerInvariant().Split(' ', StringSplitOptions.RemoveEmptyEntries));

    private static bool IsUid(string text) =>
        text.Length is > 0 and <= 64 && text.All(c => char.IsAsciiDigit(c) || c == '.');

    private static string Required(XElement element, string attribute) =>
        element.Attribute(attribute)?.Value ?? throw new InvalidDataException($"<{element.Name}> without {attribute}");
}

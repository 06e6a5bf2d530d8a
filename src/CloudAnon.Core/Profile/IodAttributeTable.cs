using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using CloudAnon.Dicom;

namespace CloudAnon.Core.Profile;

/// <summary>
/// The attribute types of one IOD (or of the common modules): every attribute its modules reach, at the top level
/// and nested in sequences, with the strongest type it has in any of them. Read-only, so lookups are thread-safe.
/// </summary>
/// <remarks>
/// The attributes form a tree: a node is a data set level (0 the top level, other numbers a sequence's items), and
/// one dictionary maps (node, tag) to the type and, for a sequence, the node of its items, so a lookup costs one
/// probe per level. A plain dictionary, not a frozen one, built from the modules' rows on first use of the IOD: a
/// CLI run for one file pays for the IOD it meets and no other.
/// </remarks>
public sealed class IodAttributeTable
{
    private readonly record struct Attribute(AttributeType Type, int Items);

    private readonly Dictionary<ulong, Attribute> _attributes = [];

    /// <param name="modules">Each module's reference and its rows as the embedded table has them ("path TAB type" lines).</param>
    /// <exception cref="InvalidDataException">A row is malformed or nested in a sequence its module has not listed.</exception>
    internal IodAttributeTable(string name, bool hasUntypedModules, IEnumerable<(string Ref, ReadOnlyMemory<char> Rows)> modules)
    {
        Name = name;
        HasUntypedModules = hasUntypedModules;
        int nextNode = 1;
        foreach (var (moduleRef, rows) in modules)
        {
            foreach (var lineRange in rows.Span.Split('\n'))
            {
                var line = rows.Span[lineRange];
                if (!line.IsEmpty) Add(line, ref nextNode, moduleRef);
            }
        }
    }

    /// <summary>The IOD's name as PS3.3 2008 gives it ("CT Image"), its current key for a newer IOD ("enhanced-pet-image"), or "common modules".</summary>
    public string Name { get; }

    /// <summary>
    /// True where the IOD has modules whose attributes the table does not have: the common modules that stand in for a
    /// SOP class the table lacks, or an IOD with a current module that neither the 2008 extract nor the reviewed
    /// overrides type. An attribute's absence then says nothing, and an optional one may be required by such a module.
    /// </summary>
    public bool HasUntypedModules { get; }

    /// <summary>
    /// The type of <paramref name="tag"/> within the items of the sequences <paramref name="sequencePath"/> (from the
    /// top; empty for the top level); null when the IOD has no such attribute there. Overlay (60xx) and curve (50xx)
    /// groups match their repeating-group rows.
    /// </summary>
    public AttributeType? TypeOf(ReadOnlySpan<DicomTag> sequencePath, DicomTag tag)
    {
        int node = 0;
        foreach (var sequence in sequencePath)
        {
            if (!_attributes.TryGetValue(Key(node, sequence.Value), out var parent) || parent.Items == 0) return null;
            node = parent.Items;
        }
        return _attributes.TryGetValue(Key(node, tag.Value), out var attribute) ? attribute.Type : null;
    }

    /// <summary>
    /// Adds a row such as "00081110>00081155 TAB 1" (the enclosing sequences' tags, the tag, the type); a row the
    /// table has already seen in another module keeps the stronger type.
    /// </summary>
    private void Add(ReadOnlySpan<char> line, ref int nextNode, string moduleRef)
    {
        int tab = line.IndexOf('\t');
        var path = tab > 0 ? line[..tab] : [];
        AttributeType type = tab > 0 ? ParseType(line[(tab + 1)..]) : (AttributeType)byte.MaxValue;
        if (type > AttributeType.Type3 || (path.Length + 1) % 9 != 0) throw Malformed(moduleRef);
        int node = 0;
        for (int start = 0; ; start += 9)
        {
            uint tag = ParseTag(path.Slice(start, 8), moduleRef);
            bool last = start + 8 == path.Length;
            if (last)
            {
                ref var attribute = ref CollectionsMarshal.GetValueRefOrAddDefault(_attributes, Key(node, tag), out bool exists);
                attribute = exists ? attribute with { Type = type < attribute.Type ? type : attribute.Type } : new Attribute(type, 0);
                return;
            }
            if (path[start + 8] != '>') throw Malformed(moduleRef);
            ref var parent = ref CollectionsMarshal.GetValueRefOrNullRef(_attributes, Key(node, tag));
            if (Unsafe.IsNullRef(ref parent)) throw Malformed(moduleRef);
            if (parent.Items == 0) parent = parent with { Items = nextNode++ };
            node = parent.Items;
        }
    }

    private static AttributeType ParseType(ReadOnlySpan<char> text) => text switch
    {
        "1" => AttributeType.Type1,
        "1C" => AttributeType.Type1C,
        "2" => AttributeType.Type2,
        "2C" => AttributeType.Type2C,
        "3" => AttributeType.Type3,
        _ => (AttributeType)byte.MaxValue,
    };

    /// <summary>"00100010", or a repeating group's "60xx0010", stored as (6000,0010).</summary>
    private static uint ParseTag(ReadOnlySpan<char> text, string moduleRef)
    {
        if (!DicomTagPattern.TryParse(text, out var tag, out uint mask)
            || (mask != DicomTagPattern.Exact && (mask != 0xFF00_FFFF || RepeatingGroupBase(tag.Value) != tag.Value)))
        {
            throw Malformed(moduleRef);
        }
        return tag.Value;
    }

    /// <summary>
    /// The dictionary key of a tag on a node. The node is spread by an odd multiplier (a bijection), so that the
    /// ulong hash (low ^ high half) does not collide for the same macro's tags on neighbouring nodes.
    /// </summary>
    private static ulong Key(int node, uint tag) => ((ulong)((uint)node * 0x9E37_79B1u) << 32) | RepeatingGroupBase(tag);

    /// <summary>(60gg,eeee) as (6000,eeee) for even gg, likewise 50xx (PS3.5 7.6): the form the table stores.</summary>
    private static uint RepeatingGroupBase(uint tag) =>
        (tag & 0xFF01_0000) is 0x5000_0000 or 0x6000_0000 ? tag & 0xFF00_FFFF : tag;

    private static InvalidDataException Malformed(string moduleRef) =>
        new($"Embedded IOD attribute types: a row of module {moduleRef} is malformed.");
}

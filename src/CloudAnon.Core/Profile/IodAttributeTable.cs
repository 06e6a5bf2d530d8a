using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using CloudAnon.Dicom;

namespace CloudAnon.Core.Profile;

/// <summary>
/// The attribute types of one IOD (or of the common modules): every attribute its modules reach, at the top level
/// and nested in sequences, with the strongest type it has in any of them. Read-only, so lookups are thread-safe.
/// </summary>
/// <remarks>
/// The attributes form a tree: a node is a data set level (0 the top level, other numbers a sequence's items),
/// and one dictionary maps (node, tag) to the type and the node of the items when the attribute is a sequence, so a
/// lookup costs one probe per level. A plain dictionary, not a frozen one: it is built on first use of the IOD, also
/// in a CLI run for one file.
/// </remarks>
public sealed class IodAttributeTable
{
    private readonly record struct Attribute(AttributeType Type, int Items);

    private readonly Dictionary<ulong, Attribute> _attributes;

    internal IodAttributeTable(string name, bool isCommonModules, IEnumerable<IodModule> modules)
    {
        Name = name;
        IsCommonModules = isCommonModules;
        _attributes = new Dictionary<ulong, Attribute>(modules.Sum(m => m.Rows.Length));
        int nextNode = 1;
        foreach (var module in modules)
        {
            foreach (var row in module.Rows)
            {
                int node = 0;
                foreach (uint sequence in row.SequencePath)
                {
                    ref var parent = ref CollectionsMarshal.GetValueRefOrNullRef(_attributes, Key(node, sequence));
                    if (Unsafe.IsNullRef(ref parent))
                    {
                        throw new InvalidDataException($"IOD attribute types: module {module.Ref} nests a row in {new DicomTag(sequence)} before listing it.");
                    }
                    if (parent.Items == 0) parent = parent with { Items = nextNode++ };
                    node = parent.Items;
                }
                ref var attribute = ref CollectionsMarshal.GetValueRefOrAddDefault(_attributes, Key(node, row.Tag), out bool exists);
                attribute = exists ? attribute with { Type = row.Type < attribute.Type ? row.Type : attribute.Type } : new Attribute(row.Type, 0);
            }
        }
    }

    /// <summary>The IOD's name as PS3.3 gives it ("CT Image"), or "common modules".</summary>
    public string Name { get; }

    /// <summary>True for the table of SOP classes the extract lacks: the common modules only.</summary>
    public bool IsCommonModules { get; }

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

    private static ulong Key(int node, uint tag) => ((ulong)(uint)node << 32) | RepeatingGroupBase(tag);

    /// <summary>(60gg,eeee) as (6000,eeee) for even gg, likewise 50xx (PS3.5 7.6): the form the table stores.</summary>
    internal static uint RepeatingGroupBase(uint tag) =>
        (tag & 0xFF01_0000) is 0x5000_0000 or 0x6000_0000 ? tag & 0xFF00_FFFF : tag;
}

/// <summary>A module of the table: its attributes with every macro expanded, in the standard's order.</summary>
internal sealed record IodModule(string Ref, IodModuleRow[] Rows);

/// <summary>An attribute of a module: the tags of its enclosing sequences from the top, its tag (repeating groups as 60xx → 6000), its type.</summary>
internal sealed record IodModuleRow(uint[] SequencePath, uint Tag, AttributeType Type);

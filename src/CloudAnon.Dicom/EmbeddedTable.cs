using System.Reflection;
using System.Text;

namespace CloudAnon.Dicom;

/// <summary>
/// A table shipped inside an assembly (the dictionary, the profile, the IOD types, word lists): UTF-8 text, one row a line,
/// tab-separated columns, '#' starting a comment line. The one reader of such resources; each table parses its own columns.
/// </summary>
public sealed class EmbeddedTable
{
    private EmbeddedTable(string resourceName, string text)
    {
        ResourceName = resourceName;
        Text = text;
    }

    public string ResourceName { get; }

    /// <summary>The whole resource, for tables that keep slices of it.</summary>
    public string Text { get; }

    /// <exception cref="InvalidOperationException">The assembly has no such resource (a build error).</exception>
    public static EmbeddedTable Read(Assembly assembly, string resourceName)
    {
        ArgumentNullException.ThrowIfNull(assembly);
        using var stream = assembly.GetManifestResourceStream(resourceName)
            ?? throw new InvalidOperationException($"Embedded resource {resourceName} is missing.");
        var bytes = new byte[stream.Length];
        stream.ReadExactly(bytes);
        return new EmbeddedTable(resourceName, Encoding.UTF8.GetString(bytes));
    }

    /// <summary>The rows: every line that is neither empty nor a '#' comment, with its line number.</summary>
    public RowEnumerator Rows() => new(Text);

    /// <summary>The error for a row that does not parse; it names the resource and the line, never the row's text.</summary>
    public InvalidDataException Malformed(int lineNumber) => new($"Embedded resource {ResourceName}: line {lineNumber} is malformed.");

    /// <summary>A row: its text, where it lies in <see cref="Text"/>, and its line number (from 1).</summary>
    public readonly ref struct Row(ReadOnlySpan<char> line, Range range, int lineNumber)
    {
        public ReadOnlySpan<char> Line { get; } = line;

        public Range Range { get; } = range;

        public int LineNumber { get; } = lineNumber;
    }

    /// <summary>Splits without copying, as the tables are read at first use, on the start-up path.</summary>
    public ref struct RowEnumerator
    {
        private readonly ReadOnlySpan<char> _text;
        private MemoryExtensions.SpanSplitEnumerator<char> _lines;
        private int _lineNumber;

        internal RowEnumerator(string text)
        {
            _text = text;
            _lines = _text.Split('\n');
        }

        public Row Current { get; private set; }

        public readonly RowEnumerator GetEnumerator() => this;

        public bool MoveNext()
        {
            while (_lines.MoveNext())
            {
                _lineNumber++;
                var range = _lines.Current;
                var line = _text[range];
                if (line.IsEmpty || line[0] == '#') continue;
                Current = new Row(line, range, _lineNumber);
                return true;
            }

            return false;
        }
    }
}

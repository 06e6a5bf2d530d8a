using System.Runtime.InteropServices;
using static CloudAnon.Pixels.Detection.ProtobufWire;

namespace CloudAnon.Pixels.Detection;

/// <summary>
/// An ONNX model's graph as nodes that can be rewritten, read from and written back to the model's bytes with
/// <see cref="ProtobufWire"/>: what is not changed is copied verbatim. Constants are Constant nodes (PaddlePaddle's
/// export has no initializers); float constants are readable as <see cref="Tensor"/>s.
/// </summary>
internal sealed class OnnxGraph
{
    private const int ModelGraph = 7, ModelOpset = 8, GraphNode = 1, GraphOutput = 12, OpsetDomain = 1, OpsetVersion = 2;
    private const int AttributeName = 1, AttributeFloat = 2, AttributeInt = 3, AttributeTensor = 5, AttributeType = 20;
    private const int TypeFloat = 1, TypeInt = 2, TypeTensor = 4;

    private readonly List<Field> _modelFields;
    private readonly List<Field> _fields;
    private readonly Dictionary<string, Tensor> _constants = [];
    private readonly List<string> _graphOutputs;
    private readonly List<byte[]> _addedOutputs = [];
    private int _added;
    private long _minimumOpset;

    public OnnxGraph(byte[] model)
    {
        _modelFields = Read(model);
        _fields = Read(_modelFields.Single(f => f.Number == ModelGraph).Value);
        Nodes = [.. _fields.Where(f => f.Number == GraphNode).Select(f => Node.Parse(f.Value))];
        _graphOutputs = [.. _fields.Where(f => f.Number == GraphOutput).Select(f => Read(f.Value).Where(v => v.Number == 1).Select(Text).Single())];
        foreach (var node in Nodes.Where(n => n.OpType == "Constant" && n.Outputs.Count == 1))
        {
            var value = node.Attribute("value")?.FirstOrDefault(f => f.Number == AttributeTensor);
            if (value is { Number: AttributeTensor } && Tensor.Parse(value.Value.Value) is { } tensor) _constants[node.Outputs[0]] = tensor;
        }
    }

    public List<Node> Nodes { get; }

    public bool IsGraphOutput(string name) => _graphOutputs.Contains(name);

    /// <summary>
    /// Makes the model import at least <paramref name="version"/> of the default operator set (per-axis
    /// DequantizeLinear needs 13). The caller checks that the graph's operators mean the same there.
    /// </summary>
    public void RequireOpset(long version) => _minimumOpset = Math.Max(_minimumOpset, version);

    /// <summary>The model's bytes with the graph as it now is (nodes removed, constants no longer read dropped).</summary>
    public byte[] Encode()
    {
        using var output = new MemoryStream();
        foreach (var field in _modelFields)
        {
            if (field.Number == ModelGraph) WriteBytes(output, ModelGraph, EncodeGraph());
            else if (field.Number == ModelOpset && IsOutdatedDefaultOpset(field)) WriteBytes(output, ModelOpset, DefaultOpset(_minimumOpset));
            else output.Write(field.Raw.Span);
        }
        return output.ToArray();
    }

    /// <summary>Makes the float tensor <paramref name="name"/> an output of the graph too (to read it during calibration).</summary>
    public void AddFloatOutput(string name)
    {
        const int ValueName = 1, ValueType = 2, TypeTensorType = 1, ElementType = 1;
        using var tensorType = new MemoryStream();
        WriteTag(tensorType, ElementType, Varint);
        WriteVarint(tensorType, TypeFloat);
        using var type = new MemoryStream();
        WriteBytes(type, TypeTensorType, tensorType.ToArray());
        using var value = new MemoryStream();
        WriteText(value, ValueName, name);
        WriteBytes(value, ValueType, type.ToArray());
        _addedOutputs.Add(value.ToArray());
        _graphOutputs.Add(name);
    }

    public Node? Producer(string name) => Nodes.FirstOrDefault(n => !n.Removed && n.Outputs.Contains(name));

    public List<Node> Consumers(string name) => [.. Nodes.Where(n => !n.Removed && n.Inputs.Contains(name))];

    /// <summary>The single node reading <paramref name="name"/>, if nothing else (graph outputs included) reads it.</summary>
    public Node? Only(string name) => !IsGraphOutput(name) && Consumers(name) is [var single] ? single : null;

    public bool TryGetConstant(string name, out Tensor tensor) => _constants.TryGetValue(name, out tensor!);

    public bool Scalar(string name, out float value)
    {
        value = _constants.TryGetValue(name, out var tensor) && tensor.Values.Length == 1 ? tensor.Values[0] : float.NaN;
        return !float.IsNaN(value);
    }

    public bool IsScalar(string name, float expected) => Scalar(name, out float value) && value == expected;

    /// <summary>A Conv node's constant weights and bias (zeros when it has none).</summary>
    public bool Weights(Node conv, out Tensor weights, out Tensor bias)
    {
        (weights, bias) = (null!, null!);
        if (conv.Inputs.Count < 2 || !_constants.TryGetValue(conv.Inputs[1], out weights!) || weights.Dims.Length == 0) return false;
        int outputs = (int)weights.Dims[0];
        if (conv.Inputs.Count < 3) bias = new Tensor([outputs], new float[outputs]);
        else if (!_constants.TryGetValue(conv.Inputs[2], out bias!) || bias.Values.Length != outputs) return false;
        return true;
    }

    /// <summary>A new float constant named after <paramref name="basis"/>; its name.</summary>
    public string AddConstant(string basis, Tensor tensor)
    {
        string name = AddConstant(basis, tensor.Dims, Tensor.Float, MemoryMarshal.AsBytes(tensor.Values.AsSpan()));
        _constants[name] = tensor;
        return name;
    }

    /// <summary>A new constant of ONNX data type <paramref name="dataType"/> holding <paramref name="raw"/> (little-endian); its name.</summary>
    public string AddConstant(string basis, long[] dims, int dataType, ReadOnlySpan<byte> raw)
    {
        string name = $"{basis}_fused{_added++}";
        var node = Node.Create("Constant", [], [name]);
        using var attribute = new MemoryStream();
        WriteText(attribute, AttributeName, "value");
        WriteBytes(attribute, AttributeTensor, Tensor.Encode(name, dims, dataType, raw));
        WriteTag(attribute, AttributeType, Varint);
        WriteVarint(attribute, TypeTensor);
        node.NewAttributes.Add(attribute.ToArray());
        Nodes.Insert(0, node);
        return name;
    }

    /// <summary>A new node after <paramref name="after"/> in the node list (ONNX wants nodes in topological order).</summary>
    public Node InsertAfter(Node after, string opType, List<string> inputs, List<string> outputs)
    {
        var node = Node.Create(opType, inputs, outputs);
        Nodes.Insert(Nodes.IndexOf(after) + 1, node);
        return node;
    }

    public Node InsertBefore(Node before, string opType, List<string> inputs, List<string> outputs)
    {
        var node = Node.Create(opType, inputs, outputs);
        Nodes.Insert(Nodes.IndexOf(before), node);
        return node;
    }

    public string NewName(string basis) => $"{basis}_fused{_added++}";

    /// <summary>Tries <paramref name="rewrite"/> on each node of <paramref name="opType"/> still in the graph; how many it rewrote.</summary>
    public int RewriteEach(string opType, Func<Node, bool> rewrite)
    {
        int rewritten = 0;
        foreach (var node in Nodes.Where(n => n.OpType == opType).ToList())
        {
            if (!node.Removed && rewrite(node)) rewritten++;
        }
        return rewritten;
    }

    public static byte[] FloatAttribute(string name, float value)
    {
        using var attribute = new MemoryStream();
        WriteText(attribute, AttributeName, name);
        WriteFloat(attribute, AttributeFloat, value);
        WriteTag(attribute, AttributeType, Varint);
        WriteVarint(attribute, TypeFloat);
        return attribute.ToArray();
    }

    public static byte[] IntAttribute(string name, long value)
    {
        using var attribute = new MemoryStream();
        WriteText(attribute, AttributeName, name);
        WriteTag(attribute, AttributeInt, Varint);
        WriteVarint(attribute, (ulong)value);
        WriteTag(attribute, AttributeType, Varint);
        WriteVarint(attribute, TypeInt);
        return attribute.ToArray();
    }

    private bool IsOutdatedDefaultOpset(Field opset)
    {
        var fields = Read(opset.Value);
        bool defaultDomain = fields.Where(f => f.Number == OpsetDomain).All(f => f.Value.IsEmpty);
        return defaultDomain && Varints(fields, OpsetVersion).Single() < _minimumOpset;
    }

    private static byte[] DefaultOpset(long version)
    {
        using var output = new MemoryStream();
        WriteTag(output, OpsetVersion, Varint);
        WriteVarint(output, (ulong)version);
        return output.ToArray();
    }

    private byte[] EncodeGraph()
    {
        var used = new HashSet<string>(Nodes.Where(n => !n.Removed).SelectMany(n => n.Inputs));
        used.UnionWith(_graphOutputs);
        using var output = new MemoryStream();
        foreach (var field in _fields.Where(f => f.Number != GraphNode)) output.Write(field.Raw.Span);
        foreach (var added in _addedOutputs) WriteBytes(output, GraphOutput, added);
        foreach (var node in Nodes.Where(n => !n.Removed && (n.OpType != "Constant" || n.Outputs.Any(used.Contains))))
        {
            WriteBytes(output, GraphNode, node.Encode());
        }
        return output.ToArray();
    }

    public sealed class Node(string opType, List<string> inputs, List<string> outputs, List<Field> rest)
    {
        private const int Input = 1, Output = 2, OpTypeField = 4, AttributeField = 5;

        public string OpType { get; set; } = opType;
        public List<string> Inputs { get; set; } = inputs;
        public List<string> Outputs { get; } = outputs;
        public List<Field> Rest { get; set; } = rest;
        public List<byte[]> NewAttributes { get; } = [];
        public bool Removed { get; set; }

        public static Node Parse(ReadOnlyMemory<byte> message)
        {
            var fields = Read(message);
            return new Node(
                fields.Where(f => f.Number == OpTypeField).Select(Text).SingleOrDefault() ?? "",
                [.. fields.Where(f => f.Number == Input).Select(Text)],
                [.. fields.Where(f => f.Number == Output).Select(Text)],
                [.. fields.Where(f => f.Number is not (Input or Output or OpTypeField))]);
        }

        public static Node Create(string opType, List<string> inputs, List<string> outputs) => new(opType, inputs, outputs, []);

        /// <summary>The fields of the attribute named <paramref name="name"/>, or null.</summary>
        public List<Field>? Attribute(string name) => Rest.Where(f => f.Number == AttributeField)
            .Select(f => Read(f.Value)).FirstOrDefault(a => a.Any(f => f.Number == 1 && Text(f) == name));

        /// <summary>The values of an int or ints attribute, or null when the node does not have it.</summary>
        public long[]? Ints(string name)
        {
            const int IntField = 3, IntsField = 8;
            return Attribute(name) is { } attribute ? [.. Varints(attribute, IntField), .. Varints(attribute, IntsField)] : null;
        }

        /// <summary>The value of a float attribute, or null when the node does not have it.</summary>
        public float? Float(string name)
        {
            const int FloatField = 2;
            return Attribute(name)?.Where(f => f.Number == FloatField).Select(f => (float?)BitConverter.UInt32BitsToSingle((uint)f.Scalar)).SingleOrDefault();
        }

        /// <summary>Replaces the attributes (the name and other fields stay).</summary>
        public void ClearAttributes() => Rest = [.. Rest.Where(f => f.Number != AttributeField)];

        public byte[] Encode()
        {
            using var output = new MemoryStream();
            foreach (var input in Inputs) WriteText(output, Input, input);
            foreach (var name in Outputs) WriteText(output, Output, name);
            WriteText(output, OpTypeField, OpType);
            foreach (var field in Rest) output.Write(field.Raw.Span);
            foreach (var attribute in NewAttributes) WriteBytes(output, AttributeField, attribute);
            return output.ToArray();
        }
    }

    /// <summary>A float tensor held by a Constant node.</summary>
    public sealed record Tensor(long[] Dims, float[] Values)
    {
        public const int Float = 1, UInt8 = 2, Int8 = 3, Int32 = 6;
        private const int DimsField = 1, DataType = 2, FloatData = 4, NameField = 8, RawData = 9;

        public static Tensor? Parse(ReadOnlyMemory<byte> message)
        {
            var fields = Read(message);
            if (Varints(fields, DataType).FirstOrDefault() != Float) return null;
            var raw = fields.FirstOrDefault(f => f.Number == RawData);
            float[] values = raw.Number == RawData
                ? MemoryMarshal.Cast<byte, float>(raw.Value.Span).ToArray()
                : [.. fields.Where(f => f.Number == FloatData).SelectMany(f => f.WireType == Fixed32
                    ? [BitConverter.UInt32BitsToSingle((uint)f.Scalar)]
                    : MemoryMarshal.Cast<byte, float>(f.Value.Span).ToArray())];
            return new Tensor([.. Varints(fields, DimsField)], values);
        }

        public static byte[] Encode(string name, long[] dims, int dataType, ReadOnlySpan<byte> raw)
        {
            using var output = new MemoryStream();
            foreach (long dim in dims)
            {
                WriteTag(output, DimsField, Varint);
                WriteVarint(output, (ulong)dim);
            }
            WriteTag(output, DataType, Varint);
            WriteVarint(output, (ulong)dataType);
            WriteText(output, NameField, name);
            WriteBytes(output, RawData, raw);
            return output.ToArray();
        }
    }
}

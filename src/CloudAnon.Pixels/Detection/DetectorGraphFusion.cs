using static CloudAnon.Pixels.Detection.ProtobufWire;

namespace CloudAnon.Pixels.Detection;

/// <summary>
/// Rewrites the detector's ONNX graph into an equivalent one with fewer passes over its activations before ONNX Runtime
/// loads it. PaddlePaddle's export spells PP-LCNetV3's learnable affine blocks (y = a·x + b, scalars) and hard-swish
/// (x·clip(x + 3, 0, 6) / 6) as chains of element-wise nodes that ONNX Runtime does not fuse, and each reads and writes a
/// whole activation tensor (about a third of a pass's time). Three rewrites, each exact up to float rounding:
/// <list type="bullet">
/// <item>Conv → Mul(a) → Add(b): the affine goes into the convolution's weights and bias (a·W, a·B + b).</item>
/// <item>Add(3) → Clip(0, 6) → Mul(x) → Div(6): HardSigmoid(α = 1/6, β = 1/2) → Mul(x).</item>
/// <item>Mul(a) → Add(b) → only 1×1 convolutions without padding: into their weights and bias (a·W, B + b·ΣW); a padded
/// convolution would see the affine's b where it pads with zeros, so it is left alone.</item>
/// </list>
/// A pattern that does not match exactly (other constants, other consumers) is left as it is.
/// </summary>
internal static class DetectorGraphFusion
{
    public readonly record struct Counts(int ConvAffine, int HardSwish, int PointwiseAffine);

    private const int ModelGraph = 7, GraphNode = 1, GraphOutput = 12;

    public static byte[] Fuse(byte[] model, out Counts counts)
    {
        var fields = Read(model);
        var graph = new Graph(fields.Single(f => f.Number == ModelGraph).Value);
        counts = new Counts(graph.FoldConvAffine(), graph.FuseHardSwish(), graph.FoldAffineIntoPointwiseConv());
        using var output = new MemoryStream(model.Length);
        foreach (var field in fields)
        {
            if (field.Number == ModelGraph) WriteBytes(output, ModelGraph, graph.Encode());
            else output.Write(field.Raw.Span);
        }
        return output.ToArray();
    }

    private sealed class Node(string opType, List<string> inputs, List<string> outputs, List<Field> rest)
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
    private sealed record Tensor(long[] Dims, float[] Values)
    {
        private const int DimsField = 1, DataType = 2, FloatData = 4, NameField = 8, RawData = 9, Float = 1;

        public static Tensor? Parse(ReadOnlyMemory<byte> message)
        {
            var fields = Read(message);
            if (Varints(fields, DataType).FirstOrDefault() != Float) return null;
            var raw = fields.FirstOrDefault(f => f.Number == RawData);
            float[] values = raw.Number == RawData
                ? System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(raw.Value.Span).ToArray()
                : [.. fields.Where(f => f.Number == FloatData).SelectMany(f => f.WireType == Fixed32
                    ? [BitConverter.UInt32BitsToSingle((uint)f.Scalar)]
                    : System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(f.Value.Span).ToArray())];
            return new Tensor([.. Varints(fields, DimsField)], values);
        }

        public byte[] Encode(string name)
        {
            using var output = new MemoryStream();
            foreach (long dim in Dims)
            {
                WriteTag(output, DimsField, Varint);
                WriteVarint(output, (ulong)dim);
            }
            WriteTag(output, DataType, Varint);
            WriteVarint(output, Float);
            WriteText(output, NameField, name);
            WriteBytes(output, RawData, System.Runtime.InteropServices.MemoryMarshal.AsBytes(Values.AsSpan()));
            return output.ToArray();
        }
    }

    private sealed class Graph
    {
        private const int AttributeName = 1, AttributeFloat = 2, AttributeTensor = 5, AttributeType = 20, TypeFloat = 1, TypeTensor = 4;

        private readonly List<Field> _fields;
        private readonly List<Node> _nodes;
        private readonly Dictionary<string, Tensor> _constants = [];
        private readonly HashSet<string> _graphOutputs;
        private int _added;

        public Graph(ReadOnlyMemory<byte> message)
        {
            _fields = Read(message);
            _nodes = [.. _fields.Where(f => f.Number == GraphNode).Select(f => Node.Parse(f.Value))];
            _graphOutputs = [.. _fields.Where(f => f.Number == GraphOutput).Select(f => Read(f.Value).Where(v => v.Number == 1).Select(Text).Single())];
            foreach (var node in _nodes.Where(n => n.OpType == "Constant" && n.Outputs.Count == 1))
            {
                var value = node.Attribute("value")?.FirstOrDefault(f => f.Number == AttributeTensor);
                if (value is { Number: AttributeTensor } && Tensor.Parse(value.Value.Value) is { } tensor) _constants[node.Outputs[0]] = tensor;
            }
        }

        public int FoldConvAffine() => RewriteEach("Mul", mul =>
        {
            if (!Affine(mul, out string x, out float a, out var add, out float b)) return false;
            if (Producer(x) is not { OpType: "Conv" } conv || Consumers(x).Count != 1 || !Weights(conv, out var weights, out var bias)) return false;
            Refold(conv, conv.Inputs[0], weights, a, [.. bias.Values.Select(v => a * v + b)]);
            conv.Outputs[0] = add.Outputs[0];
            mul.Removed = add.Removed = true;
            return true;
        });

        public int FuseHardSwish() => RewriteEach("Clip", clip =>
        {
            if (clip.Inputs.Count != 3 || !IsScalar(clip.Inputs[1], 0) || !IsScalar(clip.Inputs[2], 6)) return false;
            if (Producer(clip.Inputs[0]) is not { OpType: "Add", Inputs.Count: 2 } add || Consumers(add.Outputs[0]).Count != 1) return false;
            string? x = IsScalar(add.Inputs[1], 3) ? add.Inputs[0] : IsScalar(add.Inputs[0], 3) ? add.Inputs[1] : null;
            if (x is null || Only(clip.Outputs[0]) is not { OpType: "Mul", Inputs.Count: 2 } mul || !mul.Inputs.Contains(x)) return false;
            if (Only(mul.Outputs[0]) is not { OpType: "Div" } div || div.Inputs[0] != mul.Outputs[0] || !IsScalar(div.Inputs[1], 6)) return false;
            add.OpType = "HardSigmoid";
            add.Inputs = [x];
            add.ClearAttributes();
            add.NewAttributes.Add(FloatAttribute("alpha", 1f / 6));
            add.NewAttributes.Add(FloatAttribute("beta", 0.5f));
            mul.Inputs = [x, add.Outputs[0]];
            mul.Outputs[0] = div.Outputs[0];
            clip.Removed = div.Removed = true;
            return true;
        });

        public int FoldAffineIntoPointwiseConv() => RewriteEach("Mul", mul =>
        {
            if (!Affine(mul, out string x, out float a, out var add, out float b) || _graphOutputs.Contains(add.Outputs[0])) return false;
            var convs = Consumers(add.Outputs[0]);
            if (convs.Count == 0 || !convs.All(c => PointwiseWithoutPadding(c, add.Outputs[0]))) return false;
            foreach (var conv in convs)
            {
                Weights(conv, out var weights, out var bias);
                int perOutput = weights.Values.Length / bias.Values.Length;
                Refold(conv, x, weights, a, [.. bias.Values.Select((v, o) => v + b * weights.Values.AsSpan(o * perOutput, perOutput).ToArray().Sum())]);
            }
            mul.Removed = add.Removed = true;
            return true;
        });

        public byte[] Encode()
        {
            var used = new HashSet<string>(_nodes.Where(n => !n.Removed).SelectMany(n => n.Inputs));
            used.UnionWith(_graphOutputs);
            using var output = new MemoryStream();
            foreach (var field in _fields.Where(f => f.Number != GraphNode)) output.Write(field.Raw.Span);
            foreach (var node in _nodes.Where(n => !n.Removed && (n.OpType != "Constant" || n.Outputs.Any(used.Contains))))
            {
                WriteBytes(output, GraphNode, node.Encode());
            }
            return output.ToArray();
        }

        /// <summary>Makes <paramref name="conv"/> read <paramref name="input"/> with its weights scaled by <paramref name="scale"/> and the given bias.</summary>
        private void Refold(Node conv, string input, Tensor weights, float scale, float[] bias) =>
            conv.Inputs = [input, AddConstant(conv.Inputs[1], weights with { Values = [.. weights.Values.Select(w => scale * w)] }),
                AddConstant(conv.Inputs[1] + "_bias", new Tensor([bias.Length], bias))];

        // Mul(x, a) → Add(·, b) with scalar constants a and b, the Mul read by the Add alone.
        private bool Affine(Node mul, out string x, out float a, out Node add, out float b)
        {
            (x, a, add, b) = ("", 0, null!, 0);
            if (mul.Inputs.Count != 2) return false;
            int scalarAt = Scalar(mul.Inputs[0], out a) ? 0 : Scalar(mul.Inputs[1], out a) ? 1 : -1;
            if (scalarAt < 0 || Only(mul.Outputs[0]) is not { OpType: "Add", Inputs.Count: 2 } next) return false;
            string other = next.Inputs[0] == mul.Outputs[0] ? next.Inputs[1] : next.Inputs[0];
            if (!Scalar(other, out b)) return false;
            (x, add) = (mul.Inputs[1 - scalarAt], next);
            return true;
        }

        private bool PointwiseWithoutPadding(Node conv, string input)
        {
            if (conv.OpType != "Conv" || conv.Inputs[0] != input || !Weights(conv, out var weights, out _)) return false;
            if (weights.Dims.Length != 4 || weights.Dims[2] != 1 || weights.Dims[3] != 1 || conv.Attribute("auto_pad") is not null) return false;
            var pads = conv.Attribute("pads");
            return pads is null || Varints(pads, 8).All(p => p == 0);
        }

        private bool Weights(Node conv, out Tensor weights, out Tensor bias)
        {
            (weights, bias) = (null!, null!);
            if (conv.Inputs.Count < 2 || !_constants.TryGetValue(conv.Inputs[1], out weights!) || weights.Dims.Length == 0) return false;
            int outputs = (int)weights.Dims[0];
            if (conv.Inputs.Count < 3) bias = new Tensor([outputs], new float[outputs]);
            else if (!_constants.TryGetValue(conv.Inputs[2], out bias!) || bias.Values.Length != outputs) return false;
            return true;
        }

        private string AddConstant(string basis, Tensor tensor)
        {
            string name = $"{basis}_fused{_added++}";
            var node = Node.Create("Constant", [], [name]);
            using var attribute = new MemoryStream();
            WriteText(attribute, AttributeName, "value");
            WriteBytes(attribute, AttributeTensor, tensor.Encode(name));
            WriteTag(attribute, AttributeType, Varint);
            WriteVarint(attribute, TypeTensor);
            node.NewAttributes.Add(attribute.ToArray());
            _nodes.Insert(0, node);
            _constants[name] = tensor;
            return name;
        }

        private static byte[] FloatAttribute(string name, float value)
        {
            using var attribute = new MemoryStream();
            WriteText(attribute, AttributeName, name);
            WriteFloat(attribute, AttributeFloat, value);
            WriteTag(attribute, AttributeType, Varint);
            WriteVarint(attribute, TypeFloat);
            return attribute.ToArray();
        }

        /// <summary>Tries <paramref name="rewrite"/> on each node of <paramref name="opType"/> still in the graph; how many it rewrote.</summary>
        private int RewriteEach(string opType, Func<Node, bool> rewrite)
        {
            int rewritten = 0;
            foreach (var node in _nodes.Where(n => n.OpType == opType).ToList())
            {
                if (!node.Removed && rewrite(node)) rewritten++;
            }
            return rewritten;
        }

        private Node? Producer(string name) => _nodes.FirstOrDefault(n => !n.Removed && n.Outputs.Contains(name));

        private List<Node> Consumers(string name) => [.. _nodes.Where(n => !n.Removed && n.Inputs.Contains(name))];

        private Node? Only(string name) => !_graphOutputs.Contains(name) && Consumers(name) is [var single] ? single : null;

        private bool Scalar(string name, out float value)
        {
            value = _constants.TryGetValue(name, out var tensor) && tensor.Values.Length == 1 ? tensor.Values[0] : float.NaN;
            return !float.IsNaN(value);
        }

        private bool IsScalar(string name, float expected) => Scalar(name, out float value) && value == expected;
    }
}

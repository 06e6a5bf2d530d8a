using System.Runtime.InteropServices;
using CloudAnon.Pixels.Detection;

namespace CloudAnon.Int8Detector;

/// <summary>
/// Static int8 quantization of the detector's convolutions, in ONNX's QDQ form, for ONNX Runtime to fuse into
/// QLinearConv (MLAS runs those on VNNI/AMX where the CPU has them). For each convolution: weights int8, symmetric, one
/// scale per output channel (DequantizeLinear on axis 0); bias int32 at input scale × weight scale; its input and output
/// activations QuantizeLinear → DequantizeLinear, uint8, with the ranges measured by calibration
/// (<see cref="DetectorCalibration"/>). A tensor shared by several convolutions gets one pair. Only dense convolutions
/// with at least <see cref="MinimumReduction"/> multiply-adds per output value are quantized: on the Acuson frame
/// QLinearConv took longer than the float convolution for the depthwise ones and the 3-channel stem (5.5 against
/// 2.4 ms), and each quantized convolution adds QuantizeLinear/DequantizeLinear passes over float neighbours. The
/// convolutions of the squeeze-and-excitation branches (1 × 1 pixel after global pooling: no time to gain, and their
/// output scales whole feature maps) stay float.
/// </summary>
internal static class DetectorQuantization
{
    private const int WeightLevels = 127;
    private const int MinimumReduction = 128;

    // Per-axis DequantizeLinear arrived in opset 13; the model's operators (Conv, BatchNormalization, Resize, Clip,
    // HardSigmoid, element-wise, pooling) mean the same from its opset 11 to 13.
    private const int QdqOpset = 13;

    /// <summary>The int8 graph of <paramref name="model"/>: fused, then quantized with the calibration, which must be of this model.</summary>
    public static byte[] Int8Graph(byte[] model)
    {
        var calibration = DetectorCalibration.Load();
        if (!calibration.IsFor(model))
        {
            throw new InvalidDataException($"{DetectorCalibration.FilePath} is for the model with SHA-256 {calibration.ModelSha256}, not this one: calibrate again.");
        }
        var graph = new OnnxGraph(model);
        PaddleGraphFusion.Fuse(graph);
        Quantize(graph, calibration.Ranges);
        return graph.Encode();
    }

    /// <summary>The activations calibration must measure: each quantized convolution's input and output.</summary>
    public static IReadOnlyList<string> CalibratedTensors(OnnxGraph graph) =>
        [.. QuantizedConvs(graph).SelectMany(c => new[] { c.Inputs[0], c.Outputs[0] }).Distinct()];

    /// <summary>Rewrites <paramref name="graph"/> (already fused); how many convolutions it quantized.</summary>
    public static int Quantize(OnnxGraph graph, IReadOnlyDictionary<string, ActivationRange> ranges)
    {
        var convs = QuantizedConvs(graph);
        graph.RequireOpset(QdqOpset);
        var dequantized = new Dictionary<string, string>();
        foreach (var conv in convs)
        {
            string output = conv.Outputs[0];
            conv.Outputs[0] = graph.NewName(output);
            AddPair(graph, conv, after: true, conv.Outputs[0], output, ranges[output]);
            dequantized[output] = output;
        }
        foreach (var conv in convs)
        {
            string input = conv.Inputs[0];
            if (!dequantized.TryGetValue(input, out string? name))
            {
                name = graph.NewName(input);
                AddPair(graph, conv, after: false, input, name, ranges[input]);
                dequantized[input] = name;
            }
            QuantizeWeights(graph, conv, name, ranges[input].Scale);
        }
        return convs.Count;
    }

    private static List<OnnxGraph.Node> QuantizedConvs(OnnxGraph graph) =>
        [.. graph.Nodes.Where(n => !n.Removed && n.OpType == "Conv" && graph.Weights(n, out var weights, out _) && Dense(n, weights) && !OnPooledBranch(graph, n))];

    /// <summary>Not grouped (depthwise), and at least <see cref="MinimumReduction"/> multiply-adds per output value.</summary>
    private static bool Dense(OnnxGraph.Node conv, OnnxGraph.Tensor weights)
    {
        bool grouped = conv.Ints("group") is [> 1];
        return !grouped && weights.Dims.Length == 4 && weights.Dims[1] * weights.Dims[2] * weights.Dims[3] >= MinimumReduction;
    }

    /// <summary>Whether the convolution reads (through Relu and other convolutions) the output of a global pooling.</summary>
    private static bool OnPooledBranch(OnnxGraph graph, OnnxGraph.Node node) => graph.Producer(node.Inputs[0]) switch
    {
        { OpType: "GlobalAveragePool" } => true,
        { OpType: "Relu" or "Conv" } producer => OnPooledBranch(graph, producer),
        _ => false,
    };

    /// <summary>QuantizeLinear(<paramref name="from"/>) → DequantizeLinear → <paramref name="to"/>, next to <paramref name="at"/>.</summary>
    private static void AddPair(OnnxGraph graph, OnnxGraph.Node at, bool after, string from, string to, ActivationRange range)
    {
        string scale = graph.AddConstant(to + "_scale", new OnnxGraph.Tensor([], [range.Scale]));
        string zeroPoint = graph.AddConstant(to + "_zero", [], OnnxGraph.Tensor.UInt8, [range.ZeroPoint]);
        string quantized = graph.NewName(to + "_q");
        var q = after ? graph.InsertAfter(at, "QuantizeLinear", [from, scale, zeroPoint], [quantized]) : graph.InsertBefore(at, "QuantizeLinear", [from, scale, zeroPoint], [quantized]);
        graph.InsertAfter(q, "DequantizeLinear", [quantized, scale, zeroPoint], [to]);
    }

    /// <summary>
    /// Makes <paramref name="conv"/> read <paramref name="input"/> and its weights as int8 per output channel, its bias
    /// as int32 at <paramref name="inputScale"/> × the channel's weight scale (what QLinearConv expects).
    /// </summary>
    private static void QuantizeWeights(OnnxGraph graph, OnnxGraph.Node conv, string input, float inputScale)
    {
        graph.Weights(conv, out var weights, out var bias);
        int outputs = (int)weights.Dims[0], perOutput = weights.Values.Length / outputs;
        var (quantized, scales, biasScales, quantizedBias) = (new sbyte[weights.Values.Length], new float[outputs], new float[outputs], new int[outputs]);
        for (int o = 0; o < outputs; o++)
        {
            var channel = weights.Values.AsSpan(o * perOutput, perOutput);
            float largest = 0;
            foreach (float w in channel) largest = Math.Max(largest, Math.Abs(w));
            scales[o] = largest > 0 ? largest / WeightLevels : 1;
            for (int i = 0; i < perOutput; i++) quantized[o * perOutput + i] = (sbyte)Math.Clamp(MathF.Round(channel[i] / scales[o]), -WeightLevels, WeightLevels);
            biasScales[o] = inputScale * scales[o];
            quantizedBias[o] = (int)Math.Clamp(Math.Round(bias.Values[o] / (double)biasScales[o]), int.MinValue, int.MaxValue);
        }
        string name = conv.Inputs[1];
        conv.Inputs = [input,
            Dequantize(graph, conv, name, weights.Dims, OnnxGraph.Tensor.Int8, MemoryMarshal.AsBytes(quantized.AsSpan()), scales, new byte[outputs]),
            Dequantize(graph, conv, name + "_bias", [outputs], OnnxGraph.Tensor.Int32, MemoryMarshal.AsBytes(quantizedBias.AsSpan()), biasScales, new byte[outputs * sizeof(int)])];
    }

    /// <summary>A constant of <paramref name="dataType"/> dequantized on axis 0, read by <paramref name="conv"/>; the dequantized tensor's name.</summary>
    private static string Dequantize(OnnxGraph graph, OnnxGraph.Node conv, string basis, long[] dims, int dataType, ReadOnlySpan<byte> values, float[] scales, byte[] zeroPoints)
    {
        string quantized = graph.AddConstant(basis + "_q", dims, dataType, values);
        string scale = graph.AddConstant(basis + "_scale", new OnnxGraph.Tensor([scales.Length], scales));
        string zeroPoint = graph.AddConstant(basis + "_zero", [scales.Length], dataType, zeroPoints);
        string dequantized = graph.NewName(basis + "_dq");
        var node = graph.InsertBefore(conv, "DequantizeLinear", [quantized, scale, zeroPoint], [dequantized]);
        node.NewAttributes.Add(OnnxGraph.IntAttribute("axis", 0));
        return dequantized;
    }
}

/// <summary>The range of an activation seen in calibration, and the uint8 quantization it gives (zero exactly representable).</summary>
internal readonly record struct ActivationRange(float Min, float Max)
{
    public float Scale => Math.Max(Math.Max(Max, 0) - Math.Min(Min, 0), 1e-6f) / 255;

    public byte ZeroPoint => (byte)Math.Clamp(MathF.Round(-Math.Min(Min, 0) / Scale), 0, 255);
}

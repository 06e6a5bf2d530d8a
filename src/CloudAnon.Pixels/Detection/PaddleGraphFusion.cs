namespace CloudAnon.Pixels.Detection;

/// <summary>
/// Rewrites the detector's and the recogniser's ONNX graphs (both PP-LCNetV3 backbones) into equivalent ones with fewer
/// passes over their activations before ONNX Runtime loads them. PaddlePaddle's export spells PP-LCNetV3's learnable affine blocks (y = a·x + b, scalars) and hard-swish
/// (x·clip(x + 3, 0, 6) / 6) as chains of element-wise nodes that ONNX Runtime does not fuse, and each reads and writes a
/// whole activation tensor (about a third of a pass's time). Six rewrites, each exact up to float rounding:
/// <list type="bullet">
/// <item>Conv → Mul(a) → Add(b): the affine goes into the convolution's weights and bias (a·W, a·B + b).</item>
/// <item>Add(3) → Clip(0, 6) → Mul(x) → Div(6): HardSigmoid(α = 1/6, β = 1/2) → Mul(x).</item>
/// <item>Mul(a) → Add(b) → only 1×1 convolutions without padding: into their weights and bias (a·W, B + b·ΣW); a padded
/// convolution would see the affine's b where it pads with zeros, so it is left alone.</item>
/// <item>Any other Mul(a) → Add(b) read by a convolution: BatchNormalization(scale a, bias b, mean 0, variance 1,
/// ε 0), the same a·x + b per channel. ONNX Runtime's NCHWc layout keeps it in its blocked format as a 1 × 1
/// depthwise convolution, where the scalar Mul and Add each needed the tensor reordered out and back in (on the
/// Acuson frame those four passes were about a fifth of a pass's time).</item>
/// <item>x + x·g with g one value per channel (the neck's squeeze-and-excitation residuals): x·(g + 1), one pass over x
/// instead of two.</item>
/// <item>ConvTranspose → Add(one value per channel) → BatchNormalization (the head's upsamplings): into the
/// transposed convolution's weights and bias, two passes fewer at half and full resolution.</item>
/// </list>
/// A pattern that does not match exactly (other constants, other consumers) is left as it is.
/// </summary>
internal static class PaddleGraphFusion
{
    public readonly record struct Counts(int ConvAffine, int HardSwish, int PointwiseAffine, int AffineAsBatchNorm, int ScaledResidual, int ConvTransposeAffine);

    public static byte[] Fuse(byte[] model, out Counts counts)
    {
        var graph = new OnnxGraph(model);
        counts = Fuse(graph);
        return graph.Encode();
    }

    public static Counts Fuse(OnnxGraph graph) => new(FoldConvAffine(graph), FuseHardSwish(graph), FoldAffineIntoPointwiseConv(graph), AffineAsBatchNorm(graph), FactorScaledResidual(graph), FoldIntoConvTranspose(graph));

    private static int FoldConvAffine(OnnxGraph graph) => graph.RewriteEach("Mul", mul =>
    {
        if (!Affine(graph, mul, out string x, out float a, out var add, out float b)) return false;
        if (graph.Producer(x) is not { OpType: "Conv" } conv || graph.Consumers(x).Count != 1 || !graph.Weights(conv, out var weights, out var bias)) return false;
        Refold(graph, conv, conv.Inputs[0], weights, a, [.. bias.Values.Select(v => a * v + b)]);
        conv.Outputs[0] = add.Outputs[0];
        mul.Removed = add.Removed = true;
        return true;
    });

    private static int FuseHardSwish(OnnxGraph graph) => graph.RewriteEach("Clip", clip =>
    {
        if (!ClipsToSix(graph, clip)) return false;
        if (graph.Producer(clip.Inputs[0]) is not { OpType: "Add", Inputs.Count: 2 } add || graph.Consumers(add.Outputs[0]).Count != 1) return false;
        string? x = graph.IsScalar(add.Inputs[1], 3) ? add.Inputs[0] : graph.IsScalar(add.Inputs[0], 3) ? add.Inputs[1] : null;
        if (x is null || graph.Only(clip.Outputs[0]) is not { OpType: "Mul", Inputs.Count: 2 } mul || !mul.Inputs.Contains(x)) return false;
        if (graph.Only(mul.Outputs[0]) is not { OpType: "Div" } div || div.Inputs[0] != mul.Outputs[0] || !graph.IsScalar(div.Inputs[1], 6)) return false;
        add.OpType = "HardSigmoid";
        add.Inputs = [x];
        add.ClearAttributes();
        add.NewAttributes.Add(OnnxGraph.FloatAttribute("alpha", 1f / 6));
        add.NewAttributes.Add(OnnxGraph.FloatAttribute("beta", 0.5f));
        mul.Inputs = [x, add.Outputs[0]];
        mul.Outputs[0] = div.Outputs[0];
        clip.Removed = div.Removed = true;
        return true;
    });

    private static int FoldAffineIntoPointwiseConv(OnnxGraph graph) => graph.RewriteEach("Mul", mul =>
    {
        if (!Affine(graph, mul, out string x, out float a, out var add, out float b) || graph.IsGraphOutput(add.Outputs[0])) return false;
        var convs = graph.Consumers(add.Outputs[0]);
        if (convs.Count == 0 || !convs.All(c => PointwiseWithoutPadding(graph, c, add.Outputs[0]))) return false;
        foreach (var conv in convs)
        {
            graph.Weights(conv, out var weights, out var bias);
            int perOutput = weights.Values.Length / bias.Values.Length;
            Refold(graph, conv, x, weights, a, [.. bias.Values.Select((v, o) => v + b * weights.Values.AsSpan(o * perOutput, perOutput).ToArray().Sum())]);
        }
        mul.Removed = add.Removed = true;
        return true;
    });

    private static int AffineAsBatchNorm(OnnxGraph graph) => graph.RewriteEach("Mul", mul =>
    {
        if (!Affine(graph, mul, out string x, out float a, out var add, out float b)) return false;
        int channels = graph.Consumers(add.Outputs[0]).Select(c => InputChannels(graph, c)).FirstOrDefault(c => c > 0);
        if (channels == 0) return false;
        string Constant(string name, float value) => graph.AddConstant(add.Outputs[0] + name, new OnnxGraph.Tensor([channels], [.. Enumerable.Repeat(value, channels)]));
        add.OpType = "BatchNormalization";
        add.Inputs = [x, Constant("_scale", a), Constant("_bias", b), Constant("_mean", 0), Constant("_variance", 1)];
        add.ClearAttributes();
        add.NewAttributes.Add(OnnxGraph.FloatAttribute("epsilon", 0));
        mul.Removed = true;
        return true;
    });

    private static int FactorScaledResidual(OnnxGraph graph) => graph.RewriteEach("Add", add =>
    {
        if (add.Inputs.Count != 2) return false;
        foreach (int at in new[] { 0, 1 })
        {
            string x = add.Inputs[1 - at];
            if (graph.Producer(add.Inputs[at]) is not { OpType: "Mul", Inputs.Count: 2 } mul || graph.Only(mul.Outputs[0]) != add || !mul.Inputs.Contains(x)) continue;
            string gate = mul.Inputs[0] == x ? mul.Inputs[1] : mul.Inputs[0];
            if (graph.Producer(gate) is not { OpType: "HardSigmoid" } || gate == x) continue;
            string one = graph.AddConstant(gate + "_one", new OnnxGraph.Tensor([], [1f]));
            string shifted = graph.NewName(gate + "_plus_one");
            graph.InsertBefore(mul, "Add", [gate, one], [shifted]);
            mul.Inputs = [x, shifted];
            mul.Outputs[0] = add.Outputs[0];
            add.Removed = true;
            return true;
        }
        return false;
    });

    private static int FoldIntoConvTranspose(OnnxGraph graph) => graph.RewriteEach("ConvTranspose", transpose =>
    {
        if (!graph.TryGetConstant(transpose.Inputs[1], out var weights) || weights.Dims.Length != 4 || transpose.Ints("group") is not (null or [1])) return false;
        int outputs = (int)weights.Dims[1], perOutput = (int)(weights.Dims[2] * weights.Dims[3]);
        var scale = Enumerable.Repeat(1f, outputs).ToArray();
        var shift = new float[outputs];
        if (transpose.Inputs.Count == 3)
        {
            if (!graph.TryGetConstant(transpose.Inputs[2], out var bias) || bias.Values.Length != outputs) return false;
            shift = [.. bias.Values];
        }
        int folded = 0;
        for (var next = graph.Only(transpose.Outputs[0]); next is not null && FoldChannelAffine(graph, next, transpose.Outputs[0], scale, shift); next = graph.Only(transpose.Outputs[0]))
        {
            next.Removed = true;
            transpose.Outputs[0] = next.Outputs[0];
            folded++;
        }
        if (folded == 0) return false;
        // Weights [inputs, outputs, kh, kw]: output channel o's taps are at (c · outputs + o) · kh · kw.
        var scaled = weights.Values.Select((w, i) => w * scale[i / perOutput % outputs]).ToArray();
        transpose.Inputs = [transpose.Inputs[0], graph.AddConstant(transpose.Inputs[1], weights with { Values = scaled }),
            graph.AddConstant(transpose.Inputs[1] + "_bias", new OnnxGraph.Tensor([outputs], shift))];
        return true;
    });

    /// <summary>
    /// Folds <paramref name="node"/>, if it is a per-channel affine of <paramref name="input"/> (Add of a constant per
    /// channel, or BatchNormalization with constant parameters), into <paramref name="scale"/> and <paramref name="shift"/>.
    /// </summary>
    private static bool FoldChannelAffine(OnnxGraph graph, OnnxGraph.Node node, string input, float[] scale, float[] shift)
    {
        int channels = scale.Length;
        if (node is { OpType: "Add", Inputs: [var a, var b] })
        {
            // One value per channel means dims [1, C, 1, 1] (or [C, 1, 1]); [C] alone would broadcast along the rows.
            if (!graph.TryGetConstant(a == input ? b : a, out var addend) || addend.Dims is not ([1, _, 1, 1] or [_, 1, 1]) || addend.Values.Length != channels) return false;
            for (int o = 0; o < channels; o++) shift[o] += addend.Values[o];
            return true;
        }
        if (node is not { OpType: "BatchNormalization", Inputs: [_, var s, var bias, var mean, var variance], Outputs.Count: 1 }) return false;
        var parameters = new[] { s, bias, mean, variance }.Select(name => graph.TryGetConstant(name, out var t) && t.Values.Length == channels ? t.Values : null).ToArray();
        if (parameters.Any(p => p is null) || node.Float("epsilon") is not { } epsilon) return false;
        for (int o = 0; o < channels; o++)
        {
            float factor = parameters[0]![o] / MathF.Sqrt(parameters[3]![o] + epsilon);
            scale[o] *= factor;
            shift[o] = (shift[o] - parameters[2]![o]) * factor + parameters[1]![o];
        }
        return true;
    }

    /// <summary>Clip(0, 6): bounds as inputs (opset 11 on, the detector's export) or as attributes (before, the recogniser's).</summary>
    private static bool ClipsToSix(OnnxGraph graph, OnnxGraph.Node clip) => clip.Inputs.Count switch
    {
        3 => graph.IsScalar(clip.Inputs[1], 0) && graph.IsScalar(clip.Inputs[2], 6),
        1 => clip.Float("min") == 0 && clip.Float("max") == 6,
        _ => false,
    };

    /// <summary>The channels a convolution reads (weights' input channels × groups), or 0 for another node.</summary>
    private static int InputChannels(OnnxGraph graph, OnnxGraph.Node node)
    {
        if (node.OpType != "Conv" || !graph.Weights(node, out var weights, out _) || weights.Dims.Length != 4) return 0;
        long groups = node.Ints("group") is [var group] ? group : 1;
        return (int)(weights.Dims[1] * groups);
    }

    /// <summary>Makes <paramref name="conv"/> read <paramref name="input"/> with its weights scaled by <paramref name="scale"/> and the given bias.</summary>
    private static void Refold(OnnxGraph graph, OnnxGraph.Node conv, string input, OnnxGraph.Tensor weights, float scale, float[] bias) =>
        conv.Inputs = [input, graph.AddConstant(conv.Inputs[1], weights with { Values = [.. weights.Values.Select(w => scale * w)] }),
            graph.AddConstant(conv.Inputs[1] + "_bias", new OnnxGraph.Tensor([bias.Length], bias))];

    // Mul(x, a) → Add(·, b) with scalar constants a and b, the Mul read by the Add alone.
    private static bool Affine(OnnxGraph graph, OnnxGraph.Node mul, out string x, out float a, out OnnxGraph.Node add, out float b)
    {
        (x, a, add, b) = ("", 0, null!, 0);
        if (mul.Inputs.Count != 2) return false;
        int scalarAt = graph.Scalar(mul.Inputs[0], out a) ? 0 : graph.Scalar(mul.Inputs[1], out a) ? 1 : -1;
        if (scalarAt < 0 || graph.Only(mul.Outputs[0]) is not { OpType: "Add", Inputs.Count: 2 } next) return false;
        string other = next.Inputs[0] == mul.Outputs[0] ? next.Inputs[1] : next.Inputs[0];
        if (!graph.Scalar(other, out b)) return false;
        (x, add) = (mul.Inputs[1 - scalarAt], next);
        return true;
    }

    private static bool PointwiseWithoutPadding(OnnxGraph graph, OnnxGraph.Node conv, string input)
    {
        if (conv.OpType != "Conv" || conv.Inputs[0] != input || !graph.Weights(conv, out var weights, out _)) return false;
        if (weights.Dims.Length != 4 || weights.Dims[2] != 1 || weights.Dims[3] != 1 || conv.Attribute("auto_pad") is not null) return false;
        return (conv.Ints("pads") ?? []).All(p => p == 0);
    }
}

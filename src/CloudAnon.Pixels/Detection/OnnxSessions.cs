using Microsoft.ML.OnnxRuntime;

namespace CloudAnon.Pixels.Detection;

/// <summary>The ONNX Runtime session settings the detector and the recogniser share: CPU, sequential, all graph optimisations.</summary>
internal static class OnnxSessions
{
    /// <param name="threads">The number of cores one inference may use.</param>
    /// <param name="profilePrefix">Turns ONNX Runtime's profiler on, writing to files with this prefix.</param>
    public static SessionOptions Options(int threads, string? profilePrefix = null)
    {
        var options = new SessionOptions
        {
            IntraOpNumThreads = threads,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            EnableProfiling = profilePrefix is not null,
        };
        if (profilePrefix is not null) options.ProfileOutputPathPrefix = profilePrefix;
        // Tiny activations (some inputs give many) are flushed to zero instead of taking the slow denormal path: on
        // the corpus the probability maps stay bit-identical, on random input a pass took half the time. With more than
        // one thread, waiting threads sleep instead of spinning on cores the machine's other work needs.
        options.AddSessionConfigEntry("session.set_denormal_as_zero", "1");
        options.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
        return options;
    }
}

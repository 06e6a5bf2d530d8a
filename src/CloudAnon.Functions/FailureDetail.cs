namespace CloudAnon.Functions;

/// <summary>The log text of a failed delivery: CloudAnon's own (PHI-free) messages and the type names of others.</summary>
public static class FailureDetail
{
    /// <summary>
    /// The exception chain as text: messages of CloudAnon's exceptions (written without PHI) and only the type names of
    /// others, whose messages (Azure SDK requests, I/O paths) may name the blob.
    /// </summary>
    public static string Describe(Exception exception)
    {
        var parts = new List<string>();
        for (var current = exception; current is not null; current = current.InnerException)
        {
            var type = current.GetType();
            parts.Add(type.Namespace?.StartsWith("CloudAnon", StringComparison.Ordinal) == true ? current.Message : type.Name);
        }

        return string.Join(" <- ", parts);
    }
}

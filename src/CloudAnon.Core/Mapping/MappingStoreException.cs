namespace CloudAnon.Core.Mapping;

/// <summary>
/// A mapping store could not resolve a batch: its backend refused or failed a request after its retries, or concurrent
/// writers kept conflicting. No partial result is returned. Messages carry status codes, reason codes and counts only,
/// never original values or the keys derived from them.
/// </summary>
public sealed class MappingStoreException : Exception
{
    public MappingStoreException(string message, int status = 0, Exception? innerException = null)
        : base(message, innerException)
    {
        Status = status;
    }

    /// <summary>The backend's HTTP status code, or 0 when no response was received.</summary>
    public int Status { get; }
}

namespace CloudAnon.Network.Storage;

/// <summary>
/// Where received instances land (the ingress container when deployed). Each instance goes up as a Part 10 file through
/// <see cref="IInstanceUpload.Content"/> and becomes visible only on <see cref="IInstanceUpload.CommitAsync"/>; an upload
/// disposed without a commit leaves nothing behind.
/// </summary>
public interface IInstanceStore
{
    /// <summary>Opens the write-once upload of one SOP instance; sending the same instance again names the same target.</summary>
    IInstanceUpload Begin(string sopInstanceUid);
}

/// <summary>One instance on its way into the store.</summary>
public interface IInstanceUpload : IAsyncDisposable
{
    /// <summary>A keyed hash of the SOP Instance UID: safe to log, the same for every send of the instance.</summary>
    string Key { get; }

    /// <summary>Takes the Part 10 bytes; failures of the store surface here or in <see cref="CommitAsync"/>.</summary>
    Stream Content { get; }

    /// <summary>Makes the instance visible, unless it is there already: true when stored now, false for a resend.</summary>
    Task<bool> CommitAsync(CancellationToken cancellationToken);
}

using System.Collections.Concurrent;
using CloudAnon.Network.Storage;

namespace CloudAnon.Network.Tests;

/// <summary>
/// An <see cref="IInstanceStore"/> in memory with the same write-once contract as the ingress landing: content is
/// visible only after a commit, a second commit of an instance reports a resend. It can be made to fail, as storage does.
/// </summary>
internal sealed class MemoryInstanceStore : IInstanceStore
{
    public ConcurrentDictionary<string, byte[]> Committed { get; } = new();

    /// <summary>Uploads begun, committed or not.</summary>
    public int Begun => _begun;

    public volatile bool Unavailable;

    private int _begun;

    public IInstanceUpload Begin(string sopInstanceUid)
    {
        Interlocked.Increment(ref _begun);
        return new Upload(this, sopInstanceUid);
    }

    private sealed class Upload(MemoryInstanceStore store, string uid) : IInstanceUpload
    {
        private readonly MemoryStream _content = new();

        public string Key => uid.GetHashCode().ToString("x8");

        public Stream Content => store.Unavailable ? throw new IOException("storage unavailable") : _content;

        public Task<bool> CommitAsync(CancellationToken cancellationToken)
        {
            if (store.Unavailable) throw new IOException("storage unavailable");
            return Task.FromResult(store.Committed.TryAdd(uid, _content.ToArray()));
        }

        public ValueTask DisposeAsync() => _content.DisposeAsync();
    }
}

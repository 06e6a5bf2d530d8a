using System.Collections.Concurrent;

namespace CloudAnon.Core.Mapping;

/// <summary>
/// A process-local <see cref="IMappingStore"/>: one consistent mapping for the lifetime of the instance (one CLI run).
/// It holds originals in memory, so it must never be persisted or shared across processes.
/// </summary>
public sealed class InMemoryMappingStore : IMappingStore
{
    private readonly ConcurrentDictionary<MappingKey, string> _values = new();

    /// <summary>The number of distinct originals mapped so far.</summary>
    public int Count => _values.Count;

    public ValueTask<IReadOnlyList<string>> GetOrAddAsync(IReadOnlyList<MappingRequest> requests, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(requests);
        cancellationToken.ThrowIfCancellationRequested();

        var results = new string[requests.Count];
        for (var i = 0; i < results.Length; i++)
        {
            var request = requests[i];
            ArgumentNullException.ThrowIfNull(request.ScopeKey, nameof(requests));
            ArgumentNullException.ThrowIfNull(request.Original, nameof(requests));
            ArgumentNullException.ThrowIfNull(request.Proposed, nameof(requests));

            // GetOrAdd with a value (not a factory) is atomic: racing callers all receive the one stored winner.
            results[i] = _values.GetOrAdd(new MappingKey(request.Scope, request.ScopeKey, request.Kind, request.Original), request.Proposed);
        }

        return ValueTask.FromResult<IReadOnlyList<string>>(results);
    }

    private readonly record struct MappingKey(MappingScope Scope, string ScopeKey, MappingKind Kind, string Original);
}

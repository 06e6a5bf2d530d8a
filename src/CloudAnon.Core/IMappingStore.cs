namespace CloudAnon.Core;

/// <summary>What a mapping row maps: a UID, a pseudonym for an identifying text value, or a per-patient date offset in days.</summary>
public enum MappingKind
{
    Uid,
    Pseudonym,
    DateOffset,
}

/// <summary>Where a mapping lives. Study-scoped rows are partitioned by the original Study Instance UID;
/// patient-scoped rows (pseudonymous Patient ID, date offset) by the original Patient ID, so they agree across studies.</summary>
public enum MappingScope
{
    Study,
    Patient,
}

/// <summary>One look-up: the stored replacement of <paramref name="Original"/>, or <paramref name="Proposed"/> if none is stored yet.</summary>
/// <param name="Scope">Study or patient partition.</param>
/// <param name="ScopeKey">The original Study Instance UID or Patient ID that names the partition.</param>
/// <param name="Kind">What is mapped.</param>
/// <param name="Original">The original value (PHI: a store must not keep it in plain text).</param>
/// <param name="Proposed">The replacement to store if none exists.</param>
public readonly record struct MappingRequest(MappingScope Scope, string ScopeKey, MappingKind Kind, string Original, string Proposed);

/// <summary>
/// Keeps replacements consistent across files, processes and days. Implementations must be safe for concurrent use
/// and atomic per request: when two callers propose different values for one original, both get the same stored winner.
/// </summary>
public interface IMappingStore
{
    /// <summary>Resolves a batch of requests (typically all of one file), returning the stored value for each, in order.</summary>
    ValueTask<IReadOnlyList<string>> GetOrAddAsync(IReadOnlyList<MappingRequest> requests, CancellationToken cancellationToken = default);
}

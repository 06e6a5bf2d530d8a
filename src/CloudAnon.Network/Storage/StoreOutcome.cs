namespace CloudAnon.Network.Storage;

/// <summary>How one received instance ended, and the DIMSE status and fixed log word that go with it.</summary>
public enum StoreOutcome
{
    /// <summary>Committed now.</summary>
    Stored,

    /// <summary>The same SOP instance was committed before (a resend): a success, and no copy.</summary>
    AlreadyStored,

    /// <summary>The data set is not one the codec reads; nothing was committed.</summary>
    Malformed,

    /// <summary>The store failed or could not be reached; nothing was committed, the sender should retry later.</summary>
    StorageUnavailable,

    /// <summary>STOW-RS to /studies/{study}: the data set belongs to another study; nothing was committed.</summary>
    StudyMismatch,
}

public static class StoreOutcomes
{
    public static string Name(this StoreOutcome outcome) => outcome switch
    {
        StoreOutcome.Stored => "stored",
        StoreOutcome.AlreadyStored => "already-stored",
        StoreOutcome.Malformed => "malformed",
        StoreOutcome.StudyMismatch => "study-mismatch",
        _ => "storage-unavailable",
    };
}

namespace CloudAnon.Core.Engine;

/// <summary>Why a kept element stays (<see cref="ElementPolicy.KeptBy"/>).</summary>
internal enum KeepBasis
{
    /// <summary>The Basic Profile keeps it: its row says K, or it is a code or a non-text value inside a dummy or cleaned sequence.</summary>
    Profile,

    /// <summary>An option keeps it.</summary>
    Option,

    /// <summary>The allow-list of attributes Table E.1-1 does not list keeps it.</summary>
    AllowList,
}

using System.Collections.Concurrent;
using Azure.Core;

namespace CloudAnon.TestSupport;

/// <summary>A credential that hands out one fixed bearer token and records the scopes it was asked for.</summary>
public sealed class StaticTokenCredential(string token) : TokenCredential
{
    private readonly ConcurrentQueue<string> _requestedScopes = new();

    public IReadOnlyList<string> RequestedScopes => _requestedScopes.ToArray();

    public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken)
    {
        foreach (string scope in requestContext.Scopes)
        {
            _requestedScopes.Enqueue(scope);
        }

        return new AccessToken(token, DateTimeOffset.UtcNow.AddHours(1));
    }

    public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
        ValueTask.FromResult(GetToken(requestContext, cancellationToken));
}

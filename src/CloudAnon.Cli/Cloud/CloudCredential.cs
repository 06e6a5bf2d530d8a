using System.Collections.Concurrent;
using Azure.Core;
using Azure.Identity;

namespace CloudAnon.Cli.Cloud;

/// <summary>One Entra ID credential per run, so storage, table, queue and Key Vault share its tokens.</summary>
internal static class CloudCredential
{
    private static readonly Lazy<TokenCredential> Instance = new(() => new SharedTokens(new DefaultAzureCredential()));

    /// <summary>DefaultAzureCredential: environment variables, workload or managed identity, then the Azure CLI's sign-in.</summary>
    public static TokenCredential Shared => Instance.Value;

    /// <summary>
    /// Hands every client of the run the same token per request (scopes, tenant, claims). Each client's pipeline asks on
    /// its own, and DefaultAzureCredential keeps no cache for the Azure CLI step, which starts a new <c>az</c> process per
    /// ask (a Python program). A failed ask is not kept; a token within five minutes of expiry is asked for again.
    /// </summary>
    private sealed class SharedTokens(TokenCredential credential) : TokenCredential
    {
        private static readonly TimeSpan RefreshMargin = TimeSpan.FromMinutes(5);
        private readonly ConcurrentDictionary<string, Lazy<Task<AccessToken>>> _tokens = new();

        public override async ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken)
        {
            var key = $"{string.Join(' ', requestContext.Scopes)}|{requestContext.TenantId}|{requestContext.Claims}";
            for (var asked = 1; ; asked++)
            {
                var shared = _tokens.GetOrAdd(key, _ => Ask(requestContext));
                AccessToken token;
                try
                {
                    token = await shared.Value.WaitAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (Exception) when (!cancellationToken.IsCancellationRequested)
                {
                    _tokens.TryRemove(KeyValuePair.Create(key, shared));
                    throw;
                }

                if (token.ExpiresOn - DateTimeOffset.UtcNow > RefreshMargin || asked == 2)
                {
                    return token;
                }

                _tokens.TryRemove(KeyValuePair.Create(key, shared));
            }
        }

        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            GetTokenAsync(requestContext, cancellationToken).AsTask().GetAwaiter().GetResult();

        /// <summary>Not cancelled by one caller: the others wait for the same answer.</summary>
        private Lazy<Task<AccessToken>> Ask(TokenRequestContext requestContext) =>
            new(() => credential.GetTokenAsync(requestContext, CancellationToken.None).AsTask());
    }
}

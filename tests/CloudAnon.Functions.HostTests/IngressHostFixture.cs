namespace CloudAnon.Functions.HostTests;

/// <summary>One host with the default settings, shared by the tests of the collection (starting the worker costs seconds).</summary>
public sealed class IngressHostFixture : IAsyncLifetime
{
    public IngressHost App { get; private set; } = null!;

    public async Task InitializeAsync() => App = await IngressHost.StartAsync(await IngressHost.DefaultSettingsAsync());

    public async Task DisposeAsync() => await App.DisposeAsync();
}

[CollectionDefinition(Name)]
public sealed class DefaultHostCollection : ICollectionFixture<IngressHostFixture>
{
    public const string Name = "Default host";
}

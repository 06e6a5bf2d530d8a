using CloudAnon.Core;
using CloudAnon.Core.Mapping;

namespace CloudAnon.Core.Tests.Mapping;

public sealed class InMemoryMappingStoreTests
{
    private const string Study = "1.2.3.4";

    [Fact]
    public async Task FirstProposalWinsAndLaterProposalsGetIt()
    {
        var store = new InMemoryMappingStore();

        var first = await store.GetOrAddAsync([Uid("1.2.3.4.5", "2.25.1")]);
        var second = await store.GetOrAddAsync([Uid("1.2.3.4.5", "2.25.2")]);

        Assert.Equal(["2.25.1"], first);
        Assert.Equal(["2.25.1"], second);
        Assert.Equal(1, store.Count);
    }

    [Fact]
    public async Task ReturnsValuesInRequestOrderAndRepeatsWithinABatchAgree()
    {
        var store = new InMemoryMappingStore();

        var values = await store.GetOrAddAsync(
        [
            Uid("1.2.3.4.5", "2.25.10"),
            Uid("1.2.3.4.6", "2.25.11"),
            Uid("1.2.3.4.5", "2.25.12"),
        ]);

        Assert.Equal(["2.25.10", "2.25.11", "2.25.10"], values);
    }

    [Fact]
    public async Task ScopeScopeKeyAndKindSeparateMappings()
    {
        var store = new InMemoryMappingStore();
        const string original = "SAME";

        var values = await store.GetOrAddAsync(
        [
            new MappingRequest(MappingScope.Study, Study, MappingKind.Pseudonym, original, "a"),
            new MappingRequest(MappingScope.Study, "1.2.3.9", MappingKind.Pseudonym, original, "b"),
            new MappingRequest(MappingScope.Patient, Study, MappingKind.Pseudonym, original, "c"),
            new MappingRequest(MappingScope.Study, Study, MappingKind.Uid, original, "d"),
        ]);

        Assert.Equal(["a", "b", "c", "d"], values);
    }

    [Fact]
    public async Task ConcurrentCallersAllReceiveTheOneStoredValue()
    {
        var store = new InMemoryMappingStore();
        var originals = Enumerable.Range(0, 50).Select(i => $"1.2.3.4.{i}").ToArray();

        var results = await Task.WhenAll(Enumerable.Range(0, 32).Select(caller => Task.Run(async () =>
            await store.GetOrAddAsync(originals.Select(o => Uid(o, $"2.25.{caller}.{o}")).ToArray()))));

        for (var i = 0; i < originals.Length; i++)
        {
            var winners = results.Select(r => r[i]).Distinct().ToArray();
            Assert.Single(winners);
            Assert.EndsWith(originals[i], winners[0]);
        }

        Assert.Equal(originals.Length, store.Count);
    }

    [Fact]
    public async Task RejectsNullRequestsAndHonoursCancellation()
    {
        var store = new InMemoryMappingStore();

        await Assert.ThrowsAsync<ArgumentNullException>(async () => await store.GetOrAddAsync(null!));
        await Assert.ThrowsAsync<ArgumentNullException>(async () => await store.GetOrAddAsync([Uid(null!, "2.25.1")]));
        await Assert.ThrowsAsync<OperationCanceledException>(async () =>
            await store.GetOrAddAsync([Uid("1.2.3", "2.25.1")], new CancellationToken(canceled: true)));
        Assert.Equal(0, store.Count);
    }

    private static MappingRequest Uid(string original, string proposed) =>
        new(MappingScope.Study, Study, MappingKind.Uid, original, proposed);
}

using CloudAnon.Core.Mapping;
using CloudAnon.Core.Profile;

namespace CloudAnon.Core.Tests.Settings;

/// <summary>The one parser each for option names, the UID root, the mapping key and numbers (ports) that the CLI and the function share.</summary>
public sealed class SettingParserTests
{
    [Theory]
    [InlineData("retain-uids", ProfileOptions.RetainUids)]
    [InlineData("RetainUids", ProfileOptions.RetainUids)]
    [InlineData("RETAIN-UIDS", ProfileOptions.RetainUids)]
    [InlineData(" retain-longitudinal-modified-dates , cleanDescriptors,", ProfileOptions.RetainLongitudinalModifiedDates | ProfileOptions.CleanDescriptors)]
    [InlineData("", ProfileOptions.None)]
    public void OptionNames_AcceptTheReadmeSpellingAndTheEnumNames(string list, ProfileOptions expected)
    {
        Assert.True(ProfileOptionNames.TryApply(new DeidentificationOptions(), list, out var applied));
        Assert.Equal(expected, applied.ProfileOptions);
    }

    [Theory]
    [InlineData("retain-everything")]
    [InlineData("retain-uids=on")]
    [InlineData("re-tainuids")]
    [InlineData("1")]
    [InlineData("retain-uids,bogus")]
    public void OptionNames_RefuseWhatNamesNoOption(string list) =>
        Assert.False(ProfileOptionNames.TryApply(new DeidentificationOptions(), list, out _));

    [Fact]
    public void OptionNames_CoverEveryTableColumn_AddToWhatIsAlreadySet_AndListThemselves()
    {
        var start = new DeidentificationOptions { UidRoot = "1.2.3", ProfileOptions = ProfileOptions.CleanGraphics };
        var all = string.Join(',', ProfileOptionNames.All.Select(option => option.Values.Count == 0 ? option.Name : $"{option.Name}={option.Values[0]}"));

        Assert.True(ProfileOptionNames.TryApply(start, all, out var applied));

        Assert.Equal((ProfileOptions)((1 << Enum.GetValues<ProfileOption>().Length) - 1), applied.ProfileOptions);
        Assert.Equal("1.2.3", applied.UidRoot);
        Assert.All(ProfileOptionNames.All, option => Assert.Contains(option.Usage, ProfileOptionNames.Usage));
        Assert.Contains("retain-longitudinal-modified-dates", ProfileOptionNames.Usage);
    }

    [Theory]
    [InlineData("1.2.826.0.1.3680043.10.1", true)]
    [InlineData("1.2.3.4.5.6.7.8.9.10.11.12.13.14.15.16.1", true)] // 40 characters
    [InlineData("1.2.3.4.5.6.7.8.9.10.11.12.13.14.15.16.17", false)] // 41: would pass a 48-character rule
    [InlineData("1.02.3", false)]
    [InlineData("1..3", false)]
    [InlineData("1.2.", false)]
    [InlineData("1.2.x", false)]
    [InlineData("", false)]
    public void UidRoot_IsOneRule_ThatLeavesRoomForTheSuffix(string root, bool valid) => Assert.Equal(valid, UidRoot.IsValid(root));

    [Fact]
    public void UidRoot_TheLongestValidRoot_IsUsableByTheEngine()
    {
        var root = "1.2.3.4.5.6.7.8.9.10.11.12.13.14.15.16.1";
        Assert.Equal(UidRoot.MaxLength, root.Length);

        _ = new Deidentifier(new DeidentificationOptions { UidRoot = root, Irreversible = true }, new InMemoryMappingStore(), null);
        Assert.Throws<ArgumentException>(() =>
            new Deidentifier(new DeidentificationOptions { UidRoot = root + "7", Irreversible = true }, new InMemoryMappingStore(), null));
    }

    [Fact]
    public void MappingKey_IsBase64OfAtLeast32Bytes()
    {
        var key = Enumerable.Range(1, 32).Select(b => (byte)b).ToArray();

        Assert.True(MappingKey.TryParse(" " + Convert.ToBase64String(key) + "\n", out var parsed));
        Assert.Equal(key, parsed);
        Assert.False(MappingKey.TryParse(Convert.ToBase64String(key[..31]), out _));
        Assert.False(MappingKey.TryParse("not base64!", out _));
        Assert.False(MappingKey.TryParse(null, out var none));
        Assert.Empty(none);
    }

    [Theory]
    [InlineData("1", 1)]
    [InlineData("11112", 11112)]
    [InlineData("65535", 65535)]
    public void Ports_AreDigitsFrom1To65535(string text, int expected)
    {
        Assert.True(SettingValues.TryParsePort(text, out int port));
        Assert.Equal(expected, port);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("65536")]
    [InlineData("+104")]
    [InlineData(" 104")]
    [InlineData("1,04")]
    [InlineData("-1")]
    [InlineData("")]
    [InlineData(null)]
    public void Ports_RefuseSignsSpacesSeparatorsAndOutOfRange(string? text) => Assert.False(SettingValues.TryParsePort(text, out _));

    [Theory]
    [InlineData("0")]
    [InlineData("2147483648")]
    [InlineData("+3")]
    public void PositiveIntegers_RefuseZeroOverflowAndSigns(string text) => Assert.False(SettingValues.TryParsePositiveInteger(text, out _));
}

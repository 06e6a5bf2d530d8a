using CloudAnon.Azure.Audit;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace CloudAnon.Functions;

/// <summary>
/// On the schedule of <see cref="SettingNames.StudyScanSchedule"/> (every minute by default), sends a study-complete
/// message for each study that went quiet and changed since its last message
/// (<see cref="QuietStudies"/>). The state is in the audit table, so a missed or doubled run, a restart or a second
/// instance sends nothing twice beyond the at-least-once the message's hash covers. See docs/audit.md.
/// </summary>
public sealed partial class EmitQuietStudies(QuietStudies studies, ILogger<EmitQuietStudies> logger)
{
    public const string FunctionName = nameof(EmitQuietStudies);

    /// <summary>The schedule, resolved by the host from the setting: the quiet time (<see cref="SettingNames.StudyQuietSeconds"/>) is counted from the index, not from the schedule.</summary>
    public const string Schedule = "%" + SettingNames.StudyScanSchedule + "%";

    /// <summary>What infra and the sample settings give <see cref="SettingNames.StudyScanSchedule"/>: every minute.</summary>
    public const string DefaultSchedule = "0 */1 * * * *";

    [Function(FunctionName)]
    public async Task RunAsync([TimerTrigger(Schedule)] TimerInfo timer, CancellationToken cancellationToken)
    {
        var sent = await studies.EmitAsync(cancellationToken).ConfigureAwait(false);
        if (sent.Count > 0) LogSent(sent.Count);
    }

    [LoggerMessage(120, LogLevel.Information, "Sent {Count} study-complete messages")]
    private partial void LogSent(int count);
}

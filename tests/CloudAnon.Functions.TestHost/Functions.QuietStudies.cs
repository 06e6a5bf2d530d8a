using Microsoft.Azure.WebJobs;
using Microsoft.Azure.WebJobs.Extensions.Timers;
using Microsoft.Azure.WebJobs.Script.Grpc.Messages;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Host;

/// <summary>
/// CloudAnon's EmitQuietStudies trigger: a timer on the schedule of the StudyScanSchedule setting, resolved as the
/// Functions host resolves the worker's "%StudyScanSchedule%" (every minute by default; a test sets every second, so a
/// quiet time of seconds shows its message in seconds). A class of its own, added (with the timers extension) only by the
/// hosts that ask for it, so other tests' invocation counts hold their ingress invocations alone.
/// </summary>
public sealed class QuietStudyTimer(CloudAnon.Functions.TestHost.Worker.WorkerChannel worker)
{
    /// <summary>The TimerInfo the Functions host sends (its schedule status is the host's business).</summary>
    private const string TimerInfoJson = """{"Schedule":{"AdjustForDST":true},"ScheduleStatus":null,"IsPastDue":false}""";

    /// <summary>
    /// The timers extension, with a schedule monitor that keeps nothing: the extension's own (StorageScheduleMonitor,
    /// 3.0.6) needs a type the current Microsoft.Azure.WebJobs.Host.Storage no longer has, and fails the host's start.
    /// The timer declares UseMonitor = false, so no status is read or written.
    /// </summary>
    public static void AddTimers(IWebJobsBuilder webJobs)
    {
        webJobs.AddTimers();
        webJobs.Services.AddSingleton<ScheduleMonitor, NoScheduleMonitor>();
    }

    public Task EmitQuietStudies([TimerTrigger("%StudyScanSchedule%", UseMonitor = false)] TimerInfo timer, CancellationToken cancellationToken) =>
        worker.InvokeAsync(nameof(EmitQuietStudies), new TypedData { Json = TimerInfoJson }, new Dictionary<string, TypedData>(), cancellationToken);
}

/// <summary>A schedule monitor for timers that declare UseMonitor = false: no status, never past due.</summary>
internal sealed class NoScheduleMonitor : ScheduleMonitor
{
    public override Task<ScheduleStatus> GetStatusAsync(string timerName) => Task.FromResult<ScheduleStatus>(null!);

    public override Task UpdateStatusAsync(string timerName, ScheduleStatus status) => Task.CompletedTask;
}

using System.Runtime.CompilerServices;

namespace IdentityBridge.Tests.Infrastructure;

/// <summary>
/// Every host this suite builds would otherwise watch files through an inotify instance of its own (its
/// appsettings files, and the content and web roots of its pages): a Linux user gets 128 instances by default,
/// for all of its processes. With a few hundred hosts in one process, some alive at once and the rest waiting for
/// the collector to close their watchers, a run reached the limit (up to 110 instances seen in one process) and
/// hosts failed to start. No test changes those files while a host runs, so this process's file providers poll
/// instead (a timer each, no inotify instance).
/// </summary>
internal static class NoFileWatchers
{
    [ModuleInitializer]
    internal static void Apply() => Environment.SetEnvironmentVariable("DOTNET_USE_POLLING_FILE_WATCHER", "true");
}

using IdentityBridge.Admin.Contracts;
using IdentityBridge.Admin.Services;
using IdentityBridge.Audit;

namespace IdentityBridge.Pages.Admin;

public sealed class DashboardModel(AuditQueryService audit, ClientAdminService clients, AccountAdminService accounts, SessionAdminService sessions) : AdminPageModel
{
    public const int ChartDays = 14;

    public IReadOnlyList<(DateOnly Day, int Count)> SignIns { get; private set; } = [];
    public int Clients { get; private set; }
    public int Accounts { get; private set; }
    public int ActiveSessions { get; private set; }
    public IReadOnlyList<AuditEventView> Recent { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken ct)
    {
        SignIns = await audit.SignInsPerDayAsync(ChartDays, ct);
        Clients = await clients.CountAsync(ct);
        Accounts = await accounts.CountAsync(ct);
        ActiveSessions = await sessions.CountActiveAsync(ct);
        Recent = (await audit.QueryAsync(new AuditQuery(), new PageRequest(1, 8), ct)).Items;
    }

    public int SignInsTotal => SignIns.Sum(s => s.Count);

    public static bool IsFailure(AuditEventView e) => !e.Success || e.Type == AuditTypes.SignInFailed;
}

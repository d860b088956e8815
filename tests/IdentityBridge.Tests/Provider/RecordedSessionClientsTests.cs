using IdentityBridge.Provider.Sessions;

namespace IdentityBridge.Tests.Provider;

public sealed class RecordedSessionClientsTests
{
    [Fact]
    public void A_pair_is_remembered_by_session_and_client_together()
    {
        var recorded = new RecordedSessionClients();
        recorded.Add("s1", "web");
        Assert.True(recorded.Contains("s1", "web"));
        Assert.False(recorded.Contains("s1", "other"));
        Assert.False(recorded.Contains("s2", "web"));
    }

    [Fact]
    public void The_memory_empties_itself_at_its_bound()
    {
        var recorded = new RecordedSessionClients();
        for (var i = 0; i < RecordedSessionClients.Capacity; i++) recorded.Add("s" + i, "web");
        Assert.True(recorded.Contains("s0", "web"));
        recorded.Add("one-more", "web");
        Assert.False(recorded.Contains("s0", "web"));
        recorded.Add("s0", "web");
        Assert.True(recorded.Contains("s0", "web"));
    }
}

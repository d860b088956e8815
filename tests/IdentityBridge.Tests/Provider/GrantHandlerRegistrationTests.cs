using IdentityBridge.Provider.Grants;
using IdentityBridge.Provider.Tokens;
using Microsoft.Extensions.Options;

namespace IdentityBridge.Tests.Provider;

public sealed class GrantHandlerRegistrationTests
{
    private sealed class Built
    {
        public List<string> Types { get; } = [];
    }

    private abstract class CountingHandler(Built built, string grantType) : IGrantHandler
    {
        public string GrantType { get; } = Record(built, grantType);

        public Task<TokenResult> HandleAsync(TokenRequestContext context, CancellationToken ct) => throw new NotSupportedException();

        private static string Record(Built built, string grantType)
        {
            built.Types.Add(grantType);
            return grantType;
        }
    }

    private sealed class First(Built built) : CountingHandler(built, "urn:test:first");
    private sealed class Second(Built built) : CountingHandler(built, "urn:test:second");
    private sealed class Plain(Built built) : CountingHandler(built, "urn:test:plain");

    [Fact]
    public async Task A_request_builds_only_the_handler_of_its_grant_type()
    {
        var services = new ServiceCollection();
        services.AddScoped<Built>();
        services.AddGrantHandler<First>("urn:test:first");
        services.AddGrantHandler<Second>("urn:test:second");
        services.AddScoped<IGrantHandler, Plain>();
        await using var root = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        var options = root.GetRequiredService<IOptions<GrantHandlerOptions>>();

        await using (var scope = root.CreateAsyncScope())
        {
            Assert.IsType<Second>(GrantHandlerRegistration.Resolve(scope.ServiceProvider, options, "urn:test:second"));
            Assert.Equal(["urn:test:second"], scope.ServiceProvider.GetRequiredService<Built>().Types);
        }

        await using (var scope = root.CreateAsyncScope())
        {
            // A handler registered the plain way is still found, by building the registered ones.
            Assert.IsType<Plain>(GrantHandlerRegistration.Resolve(scope.ServiceProvider, options, "urn:test:plain"));
            Assert.Null(GrantHandlerRegistration.Resolve(scope.ServiceProvider, options, "urn:test:unknown"));
        }

        await using (var scope = root.CreateAsyncScope())
        {
            // Discovery lists every grant type once.
            var listed = scope.ServiceProvider.GetServices<IGrantHandler>().Select(h => h.GrantType).Order(StringComparer.Ordinal);
            Assert.Equal(["urn:test:first", "urn:test:plain", "urn:test:second"], listed);
        }
    }
}

using EnterpriseApp;
using EnterpriseApp.Api;
using EnterpriseApp.Authentication;
using EnterpriseApp.Pages;
using EnterpriseApp.Web;

// A web application that delegates login to IdentityBridge: OpenID Connect login with the repository's
// relying-party handler, an API protected by JwtBearer, token refresh, RP-initiated and back-channel logout.
var builder = WebApplication.CreateBuilder(args);
var settings = builder.Configuration.GetSection(EnterpriseAppOptions.Section).Get<EnterpriseAppOptions>() ?? new();
settings.Validate();

builder.Services.AddSingleton(TimeProvider.System);
builder.Services.Configure<EnterpriseAppOptions>(builder.Configuration.GetSection(EnterpriseAppOptions.Section));
builder.Services.AddEnterpriseAuthentication(settings);
builder.Services.AddSingleton<LogoutTokenValidator>();
builder.Services.AddSingleton<SelfAddress>();
builder.Services.AddAntiforgery(o =>
{
    o.Cookie.Name = "enterprise.af";
    o.Cookie.SameSite = SameSiteMode.Strict;
    o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
});
builder.Services.AddHttpClient(CallApiEndpoint.HttpClientName, c => c.Timeout = TimeSpan.FromSeconds(10));

var app = builder.Build();
app.UseMiddleware<SecurityHeaders>(new Uri(settings.Authority).GetLeftPart(UriPartial.Authority));
app.UseStaticFiles();
app.UseAuthentication();
app.UseAuthorization();

HomePage.Map(app);
AccountEndpoints.Map(app);
CallApiEndpoint.Map(app);
ApiEndpoints.Map(app);
BackChannelLogoutEndpoint.Map(app);
app.MapGet("/healthz", () => Results.Text("ok"));

app.Run();

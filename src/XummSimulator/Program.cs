using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace XummSimulator;

/// <summary>
/// Standalone simulator: <c>dotnet run --project src/XummSimulator -- --urls http://127.0.0.1:PORT</c>.
/// Options come from configuration section <c>Simulator</c> (command line <c>--Simulator:Network=TESTNET</c>,
/// environment <c>Simulator__Network=TESTNET</c>, ...). Everything is mapped at the root.
/// </summary>
public static class SimulatorProgram
{
    public static void Main(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.Services.AddXummSimulator();
        builder.Services.AddOptions<XummSimulatorOptions>().Bind(builder.Configuration.GetSection(XummSimulatorDefaults.ConfigurationSection));

        var app = builder.Build();
        app.MapXummSimulator();
        app.Run();
    }
}

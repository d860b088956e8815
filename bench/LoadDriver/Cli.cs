namespace LoadDriver;

/// <summary>Dispatches the verbs.</summary>
public static class Cli
{
    private const string Usage = """
        LoadDriver run --target NAME --issuer URL --out FILE --redirect-uri URI [options]
            Drives every scenario against one server and writes its results as JSON.
            --scenarios a,b,...        client_credentials, refresh_token, authorization_code, userinfo, jwks, discovery
            --workers N (32)           closed-loop workers, and the slots the open loop lends out
            --warmup S (2) --duration S (10) --half-duration S (8, 0 = none)
            --rate R                   open loop only, at R operations per second (instead of closed + half)
            --chains-per-worker N (2)  refresh-token chains per worker
            --pid PID --db-pid PID     server (and database) processes to read CPU time and memory from
            --service-client-id/-secret, --web-client-id/-secret, --userinfo-client-id/-secret,
            --service-scope, --code-scope, --userinfo-scope, --timeout S, --description TEXT,
            --cold-start-ms MS,..., --restart-ms MS,..., --cold-start-cpu-ms MS,..., --restart-cpu-ms MS,...
                                       start-up times of one or more rounds (recorded with their median)
        LoadDriver login --issuer URL --redirect-uri URI --web-client-id ID --web-client-secret S
            One authorization-code login, to check a server is ready for a run.
        LoadDriver validate [--seconds S] [--warmup S] [--tokens N] [--out FILE]
            Upstream RS256 ID token validations per second, in process, on 1 thread and 1 per core.
        LoadDriver report --raw DIR --out FILE.md [--dat FILE] [--cores N] [--settings, --machine, --bridge, --peer TEXT]
            The Markdown report and the chart data from a folder of raw results.
        """;

    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length == 0 || args[0] is "-h" or "--help")
        {
            Console.WriteLine(Usage);
            return args.Length == 0 ? 2 : 0;
        }
        try
        {
            var arguments = new Arguments(args.Skip(1));
            return args[0] switch
            {
                "run" => await RunCommand.ExecuteAsync(arguments),
                "login" => await LoginCommand.ExecuteAsync(arguments),
                "validate" => ValidateCommand.Execute(arguments),
                "report" => ReportCommand.Execute(arguments),
                _ => Fail($"Unknown verb '{args[0]}'.\n{Usage}"),
            };
        }
        catch (ArgumentException ex)
        {
            return Fail(ex.Message);
        }
    }

    private static int Fail(string message)
    {
        Console.Error.WriteLine(message);
        return 2;
    }
}

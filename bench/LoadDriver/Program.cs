using LoadDriver;

// Verbs: run (load against one server), validate (upstream JWT validation micro-benchmark),
// login (one login, as a smoke check), report (Markdown table and chart data from the raw results).
return await Cli.RunAsync(args);

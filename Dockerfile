# IdentityBridge: multi-stage build; the runtime image runs as a non-root user and needs no writable
# root filesystem (only /app/data, a volume, for the embedded SQLite database and imported keys).
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY global.json Directory.Build.props Directory.Packages.props IdentityBridge.sln ./
COPY src/ src/
# Self-contained, ReadyToRun composite: the runtime, ASP.NET Core and the bridge precompiled together for
# the build platform, so a container starts without waiting for the JIT (restarts 5 to 24 % faster to the
# first answer than the bridge alone precompiled over the shared runtime; bench/README.md has the figures).
RUN dotnet publish src/IdentityBridge/IdentityBridge.csproj -c Release --use-current-runtime --self-contained true \
    -p:PublishReadyToRun=true -p:PublishReadyToRunComposite=true -o /out --nologo

# The runtime comes with the application: the base image only needs the native libraries it uses.
FROM mcr.microsoft.com/dotnet/runtime-deps:10.0 AS runtime
WORKDIR /app
COPY --from=build /out ./
# The image ships the non-root "app" user (uid 1654).
USER app
# DOTNET_GCgen0size: a 16 MiB budget for the garbage collector's youngest generation. By default the
# runtime sizes it from the CPU's largest cache, which on a server CPU is the whole socket's L3 (105 MiB on
# the benchmark's host, which by the runtime's rule makes a 52 MiB budget), though the bridge's garbage is
# short-lived request data. Measured on that host under the same load (bench/README.md): peak memory
# 244-247 MB instead of 278-280 MB, and no more CPU per request. A setting of the environment only: the
# runtime does not read it from the application's runtimeconfig.json.
# DOTNET_TC_CallCountThreshold: a method whose precompiled code has been called 4,096 times (0x1000; the
# runtime's default is 30) is compiled again with full optimization. The request paths pass that in a fraction
# of a second under load; what no longer gets recompiled are the methods called a few dozen times (start-up,
# configuration, administration), whose second copies and the compiler's work for them stayed resident.
# Measured on the benchmark's host (bench/README.md): peak memory on PostgreSQL 234-236 MB instead of 246-247 MB
# after the same load, throughput within that machine's noise. Also read from the environment only.
ENV ASPNETCORE_ENVIRONMENT=Production \
    ASPNETCORE_URLS=http://+:8080 \
    DOTNET_EnableDiagnostics=0 \
    DOTNET_GCgen0size=0x1000000 \
    DOTNET_TC_CallCountThreshold=0x1000 \
    Bridge__DataPath=/app/data \
    Bridge__Keys__ImportPath=/app/certs
VOLUME ["/app/data"]
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=3s --start-period=20s CMD ["./IdentityBridge", "healthcheck"]
ENTRYPOINT ["./IdentityBridge"]

# The Sortie server, for the Kubernetes runner (it needs no bubblewrap or Xvnc: sessions run in their own pods).
# Build from the repository's root:  docker build -f deploy/images/sortie.Dockerfile -t registry.example.org/sortie/server:1 .
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
RUN apt-get update -qq && apt-get install -y -qq --no-install-recommends npm >/dev/null
WORKDIR /src
COPY . .
RUN cd src/Sortie && npm ci --no-audit --no-fund --loglevel=error
RUN dotnet publish src/Sortie/Sortie.csproj -c Release -o /app -nologo \
 && mkdir -p /app/node_modules/@novnc && cp -r src/Sortie/node_modules/@novnc/novnc /app/node_modules/@novnc/

FROM mcr.microsoft.com/dotnet/aspnet:10.0
WORKDIR /app
COPY --from=build /app .
ENV ASPNETCORE_URLS=http://0.0.0.0:8080 \
    SORTIE_DATA_DIR=/data \
    SORTIE_RUNNER=kubernetes
USER $APP_UID
EXPOSE 8080
ENTRYPOINT ["dotnet", "Sortie.dll"]

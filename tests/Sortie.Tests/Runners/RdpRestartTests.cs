using Sortie.Apps;
using Sortie.Auth;
using Sortie.Data;
using Sortie.Sessions;
using Sortie.Tests.Sessions;

namespace Sortie.Tests.Runners;

/// <summary>An RDP session across a server restart: its sandbox and its relay both outlive the server.</summary>
public sealed class RdpRestartTests : IDisposable
{
    private readonly string _dataDir = Directory.CreateTempSubdirectory("sortie-rdp-restart-").FullName;

    [Fact]
    public async Task An_rdp_session_keeps_its_connection_through_a_restart()
    {
        await using var remote = await RdpServer.StartAsync(640, 480);
        TokenPair tokens;
        SessionDto session;
        IReadOnlyList<SandboxProcesses.Proc> processes;
        await using (var first = new RestartedServer(_dataDir, sessionsOutliveIt: true))
        {
            await first.InitializeAsync();
            using var owner = await first.NewUserAsync(name: "rdp-survivor");
            tokens = owner.Tokens!;
            var app = await RdpApps.AddAsync(first, new RdpSettings("127.0.0.1", remote.Port, RdpSecurity.Tls));
            session = await owner.LaunchAsync(app.Name, 640, 480);
            processes = await SandboxProcesses.WaitForAsync(first.SessionFolder(session.Id), "/usr/bin/xfreerdp");
        }

        await using var second = new RestartedServer(_dataDir);
        await second.InitializeAsync();
        using var again = second.As(tokens);

        Assert.Equal(SessionStatus.Running, (await again.GetAsync<SessionDto>($"/api/sessions/{session.Id}")).Status);
        // xfreerdp and the relay never stopped: the remote session was not even reconnected.
        Assert.All(processes, p => Assert.True(SandboxProcesses.IsAlive(p), $"{p.Command} died with the server"));
        await using var view = await again.ViewAsync(session.Id);
        await view.WaitForPictureAsync(f => RdpApps.MostlyColour(f, RdpServer.Colour), TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
    }

    public void Dispose()
    {
        try { Directory.Delete(_dataDir, recursive: true); } catch (IOException) { }
    }
}

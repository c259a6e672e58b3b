using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Sortie.Auth;
using Sortie.Data;
using Sortie.Hosting;

namespace Sortie.Apps;

/// <summary>An app as listed. <c>command</c> is shown to admins only: users need not see how apps run.</summary>
public sealed record AppDto(Guid Id, string Name, string Description, LaunchType LaunchType, StreamProtocol? Protocol,
    string Icon, string? Url, string? Command)
{
    public static AppDto From(App a, bool forAdmin) =>
        new(a.Id, a.Name, a.Description, a.LaunchType, a.Protocol, a.Icon, a.Url, forAdmin ? a.Command : null);
}

public sealed record AppRequest(string Name, LaunchType LaunchType, StreamProtocol? Protocol = null,
    string? Description = null, string? Icon = null, string? Command = null, string? Url = null);

/// <summary>The catalog of launchable apps: everyone reads it, admins change it.</summary>
public sealed partial class AppCatalog(IDbContextFactory<SortieDb> dbs)
{
    public async Task<IReadOnlyList<AppDto>> ListAsync(Caller caller, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var apps = await db.Apps.AsNoTracking().OrderBy(a => a.Name).ToListAsync(ct);
        return apps.Select(a => AppDto.From(a, caller.IsAdmin)).ToList();
    }

    public async Task<AppDto> CreateAsync(AppRequest request, CancellationToken ct)
    {
        var app = new App { Name = "" };
        Apply(request, app);
        await using var db = await dbs.CreateDbContextAsync(ct);
        await EnsureNameFreeAsync(db, app.Name, null, ct);
        db.Apps.Add(app);
        await db.SaveChangesAsync(ct);
        return AppDto.From(app, forAdmin: true);
    }

    public async Task<AppDto> UpdateAsync(Guid id, AppRequest request, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var app = await db.Apps.SingleOrDefaultAsync(a => a.Id == id, ct) ?? throw ApiProblem.NotFound("There is no app with this id.");
        Apply(request, app);
        await EnsureNameFreeAsync(db, app.Name, id, ct);
        await db.SaveChangesAsync(ct);
        return AppDto.From(app, forAdmin: true);
    }

    /// <summary>Removes an app and its ended sessions; refused while one of its sessions is live.</summary>
    public async Task DeleteAsync(Guid id, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var app = await db.Apps.SingleOrDefaultAsync(a => a.Id == id, ct) ?? throw ApiProblem.NotFound("There is no app with this id.");
        if (await db.Sessions.AnyAsync(s => s.AppId == id && (s.Status == SessionStatus.Creating || s.Status == SessionStatus.Running), ct))
            throw ApiProblem.Conflict($"'{app.Name}' has live sessions; end them before deleting the app.");
        db.Apps.Remove(app);
        await db.SaveChangesAsync(ct);
    }

    /// <summary>Validates a request and copies it onto the app: each launch type needs its own fields.</summary>
    private static void Apply(AppRequest r, App app)
    {
        var name = r.Name?.Trim() ?? "";
        if (!AppName().IsMatch(name))
            throw ApiProblem.BadRequest("The name must be 1 to 64 letters, digits, spaces, dots, dashes or underscores.");
        switch (r.LaunchType)
        {
            case LaunchType.Container:
                if (r.Protocol is null) throw ApiProblem.BadRequest("A container app needs a protocol: vnc or rdp.");
                if (r.Protocol == StreamProtocol.Vnc && string.IsNullOrWhiteSpace(r.Command))
                    throw ApiProblem.BadRequest("A VNC container app needs the command that runs on its desktop.");
                if (r.Url is not null) throw ApiProblem.BadRequest("A container app has no url.");
                break;
            case LaunchType.WebProxy or LaunchType.Url:
                // A url app may also name a page of this portal ("/scalar"); a web-proxy app's browser needs a full address.
                var sitePath = r.LaunchType == LaunchType.Url && r.Url is ['/', not '/', ..];
                if (!sitePath && !(Uri.TryCreate(r.Url, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"))
                    throw ApiProblem.BadRequest(r.LaunchType == LaunchType.Url
                        ? "A url app needs an http or https address, or a path on this portal such as /scalar."
                        : "A web-proxy app needs an absolute http or https url.");
                if (r.Protocol is not null || r.Command is not null)
                    throw ApiProblem.BadRequest("Only container apps have a protocol or a command.");
                break;
            default:
                throw ApiProblem.BadRequest("The launch_type must be container, web_proxy or url.");
        }
        app.Name = name;
        app.LaunchType = r.LaunchType;
        app.Protocol = r.Protocol;
        app.Description = r.Description?.Trim() ?? "";
        app.Icon = r.Icon?.Trim() ?? "";
        app.Command = r.Command;
        app.Url = r.Url;
    }

    private static async Task EnsureNameFreeAsync(SortieDb db, string name, Guid? self, CancellationToken ct)
    {
        if (await db.Apps.AnyAsync(a => a.Name == name && a.Id != self, ct))
            throw ApiProblem.Conflict($"An app named '{name}' exists already.");
    }

    [GeneratedRegex(@"^[\p{L}\p{N}][\p{L}\p{N} ._-]{0,63}$")]
    private static partial Regex AppName();
}

using Sortie.Data;
using Sortie.Sessions;

namespace Sortie.Tests.Hosting;

/// <summary>One running session, owned by "owner", and a client for every kind of caller.</summary>
public sealed class MatrixFixture : SortieServer
{
    public ApiClient AnonymousClient { get; private set; } = null!;
    public ApiClient Owner { get; private set; } = null!;
    public ApiClient Other { get; private set; } = null!;
    public ApiClient Admin { get; private set; } = null!;
    public SessionDto Session { get; private set; } = null!;

    public override async ValueTask InitializeAsync()
    {
        await base.InitializeAsync();
        AnonymousClient = Anonymous();
        Owner = await this.NewUserAsync();
        Other = await this.NewUserAsync();
        Admin = await this.NewUserAsync(UserRole.Admin);
        Session = await Owner.LaunchDesktopAsync(320, 240);
    }

    public ApiClient As(string caller) => caller switch
    {
        "anonymous" => AnonymousClient, "owner" => Owner, "other" => Other, "admin" => Admin,
        _ => throw new ArgumentOutOfRangeException(nameof(caller)),
    };
}

using Sortie.Data;
using Sortie.Sessions;
using Sortie.Sharing;

namespace Sortie.Tests.Sharing;

/// <summary>A running session of "owner", shared read-only with one user and read-write with another.</summary>
public sealed class SharedSessionFixture : SortieServer
{
    public ApiClient AnonymousClient { get; private set; } = null!;
    public ApiClient Owner { get; private set; } = null!;
    public ApiClient ReadOnly { get; private set; } = null!;
    public ApiClient ReadWrite { get; private set; } = null!;
    public ApiClient Stranger { get; private set; } = null!;
    public ApiClient Admin { get; private set; } = null!;
    public SessionDto Session { get; private set; } = null!;
    public ShareDto Link { get; private set; } = null!;

    public override async ValueTask InitializeAsync()
    {
        await base.InitializeAsync();
        AnonymousClient = Anonymous();
        Owner = await this.NewUserAsync();
        ReadOnly = await this.NewUserAsync();
        ReadWrite = await this.NewUserAsync();
        Stranger = await this.NewUserAsync();
        Admin = await this.NewUserAsync(UserRole.Admin);
        Session = await Owner.LaunchDesktopAsync(320, 240);
        await Owner.InviteAsync(Session.Id, ReadOnly.User.Username, SharePermission.ReadOnly);
        await Owner.InviteAsync(Session.Id, ReadWrite.User.Username, SharePermission.ReadWrite);
        Link = await Owner.CreateLinkAsync(Session.Id);
    }

    public ApiClient As(string caller) => caller switch
    {
        "anonymous" => AnonymousClient, "owner" => Owner, "read_only" => ReadOnly, "read_write" => ReadWrite,
        "stranger" => Stranger, "admin" => Admin, _ => throw new ArgumentOutOfRangeException(nameof(caller)),
    };
}

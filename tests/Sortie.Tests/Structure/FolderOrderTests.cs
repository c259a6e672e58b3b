namespace Sortie.Tests.Structure;

/// <summary>The folders of src/Sortie depend one way: each uses only folders below it in <see cref="Order"/> (docs/architecture.md).</summary>
public sealed class FolderOrderTests
{
    /// <summary>Lowest first. Features tell the viewer room of access changes through Access's IAccessChanges, never by calling it.</summary>
    public static readonly string[] Order =
    [
        "Platform", "Data", "Access", "Replicas", "Auth", "Events", "Audit", "Runners", "Apps",
        "Sessions", "Sharing", "Users", "Viewers", "Recordings", "Gateway", "Ui", "Hosting",
    ];

    private static readonly IReadOnlyList<FolderDependencies.Use> Uses = FolderDependencies.Of(typeof(Program).Assembly.Location);

    [Fact]
    public void Every_folder_uses_only_folders_below_it()
    {
        var upward = Uses.Where(u => Array.IndexOf(Order, u.FromFolder) <= Array.IndexOf(Order, u.ToFolder)).ToList();
        Assert.True(upward.Count == 0, "Folders using a folder at or above their own:\n" + string.Join("\n", upward));
    }

    [Fact]
    public void Every_folder_has_its_place_in_the_order()
    {
        var folders = Uses.SelectMany(u => new[] { u.FromFolder, u.ToFolder }).Distinct().Order().ToList();
        Assert.Empty(folders.Except(Order));
        Assert.Empty(Order.Except(folders));
    }

    [Fact]
    public void The_reading_sees_uses_inside_method_bodies_and_lambdas()
    {
        // The gateway's endpoint takes the viewer room as a parameter of a lambda; the session manager reaches runners
        // only inside async methods; the housekeeper passes the viewer room's method to the sessions' idle sweep.
        Assert.Contains(Uses, u => u is { FromFolder: "Gateway", ToType: "Sortie.Viewers.ViewerRoom" });
        Assert.Contains(Uses, u => u is { FromType: "Sortie.Sessions.SessionManager", ToType: "Sortie.Runners.ISessionRunner" });
        Assert.Contains(Uses, u => u is { FromType: "Sortie.Hosting.Housekeeper", ToType: "Sortie.Viewers.LocalViewers" });
    }
}

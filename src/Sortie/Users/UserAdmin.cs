using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Sortie.Access;
using Sortie.Auth;
using Sortie.Data;
using Sortie.Platform;
using Sortie.Sessions;

namespace Sortie.Users;

/// <summary>Admins create, list and delete accounts. Usernames are lower-case, so "Alice" and "alice" are one.</summary>
public sealed partial class UserAdmin(IDbContextFactory<SortieDb> dbs, IPasswordHasher<User> hasher, SessionManager sessions,
    IAccessChanges access, TimeProvider clock)
{
    public async Task<UserDto> CreateAsync(CreateUserRequest request, CancellationToken ct)
    {
        var username = (request.Username ?? "").Trim().ToLowerInvariant();
        if (!ValidUsername().IsMatch(username))
            throw ApiProblem.BadRequest("A username is 2 to 32 characters: letters a-z, digits, dots, dashes or underscores, starting with a letter or digit.");
        if ((request.Password ?? "").Length < AuthService.MinPasswordLength)
            throw ApiProblem.BadRequest($"The password must be at least {AuthService.MinPasswordLength} characters.");
        if (!Enum.IsDefined(request.Role)) throw ApiProblem.BadRequest("The role must be user or admin.");

        await using var db = await dbs.CreateDbContextAsync(ct);
        if (await db.Users.AnyAsync(u => u.Username == username, ct))
            throw ApiProblem.Conflict($"The username '{username}' is taken.");
        var user = new User { Username = username, PasswordHash = "", Role = request.Role, CreatedAt = clock.GetUtcNow().UtcDateTime };
        user.PasswordHash = hasher.HashPassword(user, request.Password!);
        db.Users.Add(user);
        try { await db.SaveChangesAsync(ct); }
        catch (DbUpdateException) { throw ApiProblem.Conflict($"The username '{username}' is taken."); }
        return UserDto.From(user);
    }

    public async Task<IReadOnlyList<UserDto>> ListAsync(CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        return (await db.Users.AsNoTracking().OrderBy(u => u.Username).ToListAsync(ct)).Select(UserDto.From).ToList();
    }

    /// <summary>
    /// Deletes an account after ending its sessions; the shares it held go with it, and its live connections
    /// to others' sessions close. An admin cannot delete themselves (someone must remain).
    /// </summary>
    public async Task DeleteAsync(Caller caller, Guid id, CancellationToken ct)
    {
        if (id == caller.Id) throw ApiProblem.BadRequest("You cannot delete your own account.");
        await using var db = await dbs.CreateDbContextAsync(ct);
        var user = await db.Users.SingleOrDefaultAsync(u => u.Id == id, ct) ?? throw NoSuchUser();
        await sessions.EndAllOfAsync(id, "The owner's account was deleted.");
        db.Users.Remove(user);
        await db.SaveChangesOrAsync(NoSuchUser(), ct);
        await access.SessionChangedAsync(null);
    }

    private static ApiProblem NoSuchUser() => ApiProblem.NotFound("There is no such user.");

    [GeneratedRegex("^[a-z0-9][a-z0-9._-]{1,31}$")]
    private static partial Regex ValidUsername();
}

using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Sortie.Access;
using Sortie.Data;
using Sortie.Platform;

namespace Sortie.Auth;

/// <summary>Logging in, token rotation and logging out. The one place passwords are checked.</summary>
public sealed class AuthService(SortieDb db, Tokens tokens, LoginThrottle throttle, IPasswordHasher<User> hasher,
    BrowserLogins logins, IAccessChanges access, SortieMetrics metrics, TimeProvider clock, ILogger<AuthService> log)
{
    public const int MinPasswordLength = 8;
    private const string WrongCredentials = "The username or password is incorrect.";
    // Checked against when the username is unknown, so both failures take the same time.
    private static readonly string DummyHash = new PasswordHasher<User>().HashPassword(null!, "not-a-real-password");

    /// <summary>Checks a password; returns the user, or throws 401 (one message for both mistakes) or 429.</summary>
    public async Task<User> CheckPasswordAsync(string? username, string? password, string? address, CancellationToken ct)
    {
        username = (username ?? "").Trim().ToLowerInvariant();
        if (throttle.RetryAfter(username, address) is { } wait)
            throw ApiProblem.TooMany("Too many failed logins. Try again later.", (int)Math.Ceiling(wait.TotalSeconds));

        var user = await db.Users.SingleOrDefaultAsync(u => u.Username == username, ct);
        var result = hasher.VerifyHashedPassword(user!, user?.PasswordHash ?? DummyHash, password ?? "");
        if (user is null || result == PasswordVerificationResult.Failed)
        {
            throttle.Failed(username, address);
            metrics.LoginFailed();
            log.LogInformation("Failed login for {Username} from {Address}", username, address);
            throw new ApiProblem(StatusCodes.Status401Unauthorized, WrongCredentials);
        }
        if (result == PasswordVerificationResult.SuccessRehashNeeded)
            user.PasswordHash = hasher.HashPassword(user, password!);
        throttle.Succeeded(username, address);
        return user;
    }

    public async Task<TokenPair> IssueTokensAsync(User user, CancellationToken ct)
    {
        var refresh = Tokens.NewOpaqueToken();
        var now = clock.GetUtcNow().UtcDateTime;
        db.RefreshTokens.Add(new RefreshToken
        {
            UserId = user.Id, TokenHash = Tokens.Hash(refresh), CreatedAt = now, ExpiresAt = now + Tokens.RefreshLifetime,
        });
        await db.SaveChangesAsync(ct);
        return new TokenPair(tokens.CreateAccessToken(user), refresh, (int)Tokens.AccessLifetime.TotalSeconds, UserDto.From(user));
    }

    /// <summary>
    /// Trades a refresh token for a new pair. A token works once: presenting a spent one again means it
    /// was copied, so every refresh token of that user is revoked.
    /// </summary>
    public async Task<TokenPair> RefreshAsync(string? refreshToken, CancellationToken ct)
    {
        var invalid = new ApiProblem(StatusCodes.Status401Unauthorized, "The refresh token is invalid or has expired.");
        if (string.IsNullOrEmpty(refreshToken)) throw invalid;
        var hash = Tokens.Hash(refreshToken);
        var now = clock.GetUtcNow().UtcDateTime;
        var stored = await db.RefreshTokens.SingleOrDefaultAsync(t => t.TokenHash == hash, ct);
        if (stored is null || stored.ExpiresAt <= now) throw invalid;

        // Spend it atomically: of two requests racing with the same token, only one wins.
        var spent = await db.RefreshTokens.Where(t => t.Id == stored.Id && t.RevokedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.RevokedAt, now), ct);
        if (spent == 0)
        {
            log.LogWarning("A spent refresh token was presented again for user {UserId}; revoking all of theirs", stored.UserId);
            await RevokeAllAsync(stored.UserId, ct);
            throw invalid;
        }
        var user = await db.Users.SingleOrDefaultAsync(u => u.Id == stored.UserId, ct) ?? throw invalid;
        return await IssueTokensAsync(user, ct);
    }

    /// <summary>Revokes the given refresh token, or, without one, every refresh token of the user.</summary>
    public async Task LogoutAsync(Guid userId, string? refreshToken, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(refreshToken)) { await RevokeAllAsync(userId, ct); return; }
        var hash = Tokens.Hash(refreshToken);
        var now = clock.GetUtcNow().UtcDateTime;
        await db.RefreshTokens.Where(t => t.TokenHash == hash && t.UserId == userId && t.RevokedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.RevokedAt, now), ct);
    }

    /// <summary>
    /// Changes the caller's password (the current one is checked, and throttled like a login). Every refresh token and
    /// browser login of the account ends with the old password: whoever held one must log in again.
    /// </summary>
    public async Task ChangePasswordAsync(Caller caller, string? currentPassword, string? newPassword, CancellationToken ct)
    {
        if ((newPassword ?? "").Length < MinPasswordLength)
            throw ApiProblem.BadRequest($"The new password must be at least {MinPasswordLength} characters.");
        User user;
        try { user = await CheckPasswordAsync(caller.Username, currentPassword, caller.Address, ct); }
        catch (ApiProblem wrong) when (wrong.Status == StatusCodes.Status401Unauthorized)
        {
            // Not 401: the caller is logged in, only the password they typed is wrong.
            throw ApiProblem.BadRequest("The current password is incorrect.");
        }
        user.PasswordHash = hasher.HashPassword(user, newPassword!);
        await db.SaveChangesAsync(ct);
        await RevokeAllAsync(user.Id, ct);
        await logins.EndAllOfAsync(user.Id, ct);
        await access.LoginsEndedAsync(user.Id);
    }

    private Task RevokeAllAsync(Guid userId, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        return db.RefreshTokens.Where(t => t.UserId == userId && t.RevokedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.RevokedAt, now), ct);
    }
}

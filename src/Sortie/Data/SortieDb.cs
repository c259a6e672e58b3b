using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using Sortie.Platform;

namespace Sortie.Data;

public class SortieDb : DbContext
{
    // One public constructor: the context pool needs to know which to call.
    public SortieDb(DbContextOptions<SortieDb> options) : base(options) { }

    /// <summary>For <see cref="PostgresSortieDb"/>, whose pooled options are its own type's.</summary>
    protected SortieDb(DbContextOptions options) : base(options) { }

    public DbSet<User> Users => Set<User>();
    public DbSet<RefreshToken> RefreshTokens => Set<RefreshToken>();
    public DbSet<BrowserLogin> BrowserLogins => Set<BrowserLogin>();
    public DbSet<App> Apps => Set<App>();
    public DbSet<Session> Sessions => Set<Session>();
    public DbSet<Share> Shares => Set<Share>();
    public DbSet<AuditEvent> Audit => Set<AuditEvent>();
    public DbSet<ViewerRecord> ViewerRecords => Set<ViewerRecord>();
    public DbSet<Recording> Recordings => Set<Recording>();

    protected override void ConfigureConventions(ModelConfigurationBuilder builder)
    {
        // Every timestamp is UTC; SQLite forgets the kind, so it is restored on read.
        builder.Properties<DateTime>().HaveConversion<UtcDateTimeConverter>();
        builder.Properties<Enum>().HaveConversion<string>().HaveMaxLength(32);
    }

    protected override void OnModelCreating(ModelBuilder model)
    {
        model.Entity<User>(e =>
        {
            e.Property(u => u.Username).HasMaxLength(64);
            e.HasIndex(u => u.Username).IsUnique();
        });
        model.Entity<RefreshToken>(e =>
        {
            e.HasIndex(t => t.TokenHash).IsUnique();
            e.HasOne<User>().WithMany().HasForeignKey(t => t.UserId).OnDelete(DeleteBehavior.Cascade);
        });
        model.Entity<BrowserLogin>(e =>
        {
            e.HasOne<User>().WithMany().HasForeignKey(l => l.UserId).OnDelete(DeleteBehavior.Cascade);
            e.HasIndex(l => l.UserId);
            e.HasIndex(l => l.ExpiresAt);
        });
        model.Entity<App>(e =>
        {
            e.Property(a => a.Name).HasMaxLength(64);
            e.Property(a => a.RdpHost).HasMaxLength(253);
            e.Property(a => a.RdpCertificateFingerprint).HasMaxLength(95);
            e.Property(a => a.RdpSecretRef).HasMaxLength(64);
            e.HasIndex(a => a.Name).IsUnique();
        });
        model.Entity<Session>(e =>
        {
            e.HasOne(s => s.App).WithMany().HasForeignKey(s => s.AppId).OnDelete(DeleteBehavior.Cascade);
            e.HasOne(s => s.Owner).WithMany().HasForeignKey(s => s.OwnerId).OnDelete(DeleteBehavior.Cascade);
            e.HasIndex(s => new { s.OwnerId, s.Status });
            e.HasIndex(s => s.Status);
        });
        model.Entity<Share>(e =>
        {
            e.HasOne(s => s.Session).WithMany().HasForeignKey(s => s.SessionId).OnDelete(DeleteBehavior.Cascade);
            e.HasOne(s => s.User).WithMany().HasForeignKey(s => s.UserId).OnDelete(DeleteBehavior.Cascade);
            // Revoking a link takes the access of everyone who joined through it.
            e.HasOne(s => s.ViaLink).WithMany().HasForeignKey(s => s.ViaLinkId).OnDelete(DeleteBehavior.Cascade);
            e.HasIndex(s => new { s.SessionId, s.UserId }).IsUnique();
            e.HasIndex(s => s.TokenHash).IsUnique();
            e.HasIndex(s => s.UserId);
        });
        model.Entity<ViewerRecord>(e =>
        {
            e.ToTable("LiveConnections"); // its name before the viewer room's types were named alike
            e.HasOne<Session>().WithMany().HasForeignKey(c => c.SessionId).OnDelete(DeleteBehavior.Cascade);
            e.HasOne<User>().WithMany().HasForeignKey(c => c.UserId).OnDelete(DeleteBehavior.Cascade);
            e.Property(c => c.Username).HasMaxLength(64);
            // Written as the API writes it ("owner", "link"), as before it was an enum.
            e.Property(c => c.Via).HasMaxLength(16).HasConversion(v => SortieJson.Name(v), s => Enum.Parse<AccessVia>(s, true));
            e.Property(c => c.Replica).HasMaxLength(32);
            e.HasIndex(c => c.SessionId);
            e.HasIndex(c => c.Replica);
        });
        model.Entity<Recording>(e =>
        {
            e.HasOne(r => r.Session).WithMany().HasForeignKey(r => r.SessionId).OnDelete(DeleteBehavior.Cascade);
            e.Property(r => r.StartedBy).HasMaxLength(64);
            e.Property(r => r.StopReason).HasMaxLength(256);
            e.Property(r => r.Participants).HasMaxLength(4096);
            e.Property(r => r.StopRequested).HasMaxLength(256);
            e.Property(r => r.Replica).HasMaxLength(32);
            // One open recording per session, whichever replica starts it.
            e.HasIndex(r => r.SessionId).IsUnique().HasFilter("\"EndedAt\" IS NULL");
            e.HasIndex(r => r.StartedAt);
            e.HasIndex(r => r.EndedAt);
        });
        model.Entity<AuditEvent>(e =>
        {
            e.HasIndex(a => a.SessionId);
            e.HasIndex(a => a.At);
        });
    }

    private sealed class UtcDateTimeConverter() : ValueConverter<DateTime, DateTime>(
        v => v.Kind == DateTimeKind.Utc ? v : v.ToUniversalTime(),
        v => DateTime.SpecifyKind(v, DateTimeKind.Utc));
}

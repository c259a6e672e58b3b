using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Sortie.Data.Migrations
{
    /// <inheritdoc />
    public partial class RdpAndWebProxy : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "RdpCertificate",
                table: "Apps",
                type: "TEXT",
                maxLength: 32,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "RdpCertificateFingerprint",
                table: "Apps",
                type: "TEXT",
                maxLength: 95,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "RdpHost",
                table: "Apps",
                type: "TEXT",
                maxLength: 253,
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "RdpPort",
                table: "Apps",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "RdpSecretRef",
                table: "Apps",
                type: "TEXT",
                maxLength: 64,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "RdpSecurity",
                table: "Apps",
                type: "TEXT",
                maxLength: 32,
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "RdpCertificate",
                table: "Apps");

            migrationBuilder.DropColumn(
                name: "RdpCertificateFingerprint",
                table: "Apps");

            migrationBuilder.DropColumn(
                name: "RdpHost",
                table: "Apps");

            migrationBuilder.DropColumn(
                name: "RdpPort",
                table: "Apps");

            migrationBuilder.DropColumn(
                name: "RdpSecretRef",
                table: "Apps");

            migrationBuilder.DropColumn(
                name: "RdpSecurity",
                table: "Apps");
        }
    }
}

using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Sortie.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class BrowserLogins : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "BrowserLogins",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    UserId = table.Column<Guid>(type: "uuid", nullable: false),
                    CreatedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    ExpiresAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_BrowserLogins", x => x.Id);
                    table.ForeignKey(
                        name: "FK_BrowserLogins_Users_UserId",
                        column: x => x.UserId,
                        principalTable: "Users",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_BrowserLogins_ExpiresAt",
                table: "BrowserLogins",
                column: "ExpiresAt");

            migrationBuilder.CreateIndex(
                name: "IX_BrowserLogins_UserId",
                table: "BrowserLogins",
                column: "UserId");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "BrowserLogins");
        }
    }
}

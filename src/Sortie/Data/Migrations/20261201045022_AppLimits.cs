using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Sortie.Data.Migrations
{
    /// <inheritdoc />
    public partial class AppLimits : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<double>(
                name: "CpuLimit",
                table: "Apps",
                type: "REAL",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "MemoryLimitMb",
                table: "Apps",
                type: "INTEGER",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "CpuLimit",
                table: "Apps");

            migrationBuilder.DropColumn(
                name: "MemoryLimitMb",
                table: "Apps");
        }
    }
}

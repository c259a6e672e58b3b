using System.Collections.Frozen;
using System.Text.Json;

namespace Sortie.Platform;

/// <summary>Each value of an enum with its snake_case name, worked out once.</summary>
internal static class EnumNames<T> where T : struct, Enum
{
    public static readonly FrozenDictionary<T, string> Names =
        Enum.GetValues<T>().ToFrozenDictionary(v => v, v => JsonNamingPolicy.SnakeCaseLower.ConvertName(v.ToString()));
}

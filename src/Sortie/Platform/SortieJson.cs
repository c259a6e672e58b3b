using System.Text.Json;
using System.Text.Json.Serialization;

namespace Sortie.Platform;

/// <summary>The API's JSON: snake_case names and enum values, strict about what it accepts, every field always written.</summary>
public static class SortieJson
{
    public static void Configure(JsonSerializerOptions o)
    {
        o.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
        o.Converters.Add(new SnakeCaseEnumConverter());
        o.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
        o.RespectRequiredConstructorParameters = true;
        o.RespectNullableAnnotations = true;
    }

    public static readonly JsonSerializerOptions Options = Create();

    /// <summary>An enum value's name in the API, and wherever else it is written (audit, metrics, pages): snake_case.</summary>
    public static string Name<T>(T value) where T : struct, Enum =>
        EnumNames<T>.Names.TryGetValue(value, out var name) ? name : throw new ArgumentOutOfRangeException(nameof(value), value, null);

    private static JsonSerializerOptions Create()
    {
        var o = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        Configure(o);
        return o;
    }
}

using System.Text.Json;
using System.Text.Json.Serialization;

namespace Sortie.Hosting;

/// <summary>The API's JSON: snake_case names and enum values, strict about what it accepts, every field always written.</summary>
public static class SortieJson
{
    public static void Configure(JsonSerializerOptions o)
    {
        o.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
        o.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower, allowIntegerValues: false));
        o.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
        o.RespectRequiredConstructorParameters = true;
        o.RespectNullableAnnotations = true;
    }

    public static readonly JsonSerializerOptions Options = Create();

    private static JsonSerializerOptions Create()
    {
        var o = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        Configure(o);
        return o;
    }
}

using System.Collections.Frozen;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Sortie.Platform;

/// <summary>
/// Enums as their snake_case names, read back only as exactly those names. JsonStringEnumConverter also accepts
/// other casings and the C# names ("Admin", "ReadWrite"), which the API does not promise and would then be stuck with.
/// </summary>
public sealed class SnakeCaseEnumConverter : JsonConverterFactory
{
    public override bool CanConvert(Type typeToConvert) => typeToConvert.IsEnum;

    public override JsonConverter CreateConverter(Type typeToConvert, JsonSerializerOptions options) =>
        (JsonConverter)Activator.CreateInstance(typeof(Converter<>).MakeGenericType(typeToConvert))!;

    private sealed class Converter<T> : JsonConverter<T> where T : struct, Enum
    {
        private static readonly FrozenDictionary<T, string> Names = EnumNames<T>.Names;
        private static readonly FrozenDictionary<string, T> Values =
            Names.ToFrozenDictionary(p => p.Value, p => p.Key, StringComparer.Ordinal);
        private static readonly string Allowed = string.Join(", ", Enum.GetValues<T>().Select(v => $"\"{Names[v]}\""));

        public override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            var text = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
            if (text is not null && Values.TryGetValue(text, out var value)) return value;
            var given = text is null ? $"a JSON {reader.TokenType.ToString().ToLowerInvariant()}" : $"\"{text}\"";
            throw new JsonException($"{given} is not one of the allowed values: {Allowed}.");
        }

        public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options) =>
            writer.WriteStringValue(Names.TryGetValue(value, out var name) ? name
                : throw new JsonException($"{typeof(T).Name} has no value {value}."));
    }
}

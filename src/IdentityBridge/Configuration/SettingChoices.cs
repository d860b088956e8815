using System.Collections;
using System.ComponentModel;
using System.Reflection;
using Microsoft.Extensions.Options;

namespace IdentityBridge.Configuration;

/// <summary>
/// Settings that take one of a fixed set of values: the enum-typed properties of an options class, found by
/// reflection in its nested sections, lists and dictionaries, so that a setting added later is checked too. Their
/// text is checked before the class is bound: the binder refuses a word that names no value with an exception that
/// names .NET types and no choice, and takes a number for a value outside the choices ("7"). What bound to one of
/// the values before is still taken: its name in any letter case, or its number.
/// </summary>
internal static class SettingChoices
{
    /// <summary>
    /// <see cref="OptionsBuilderConfigurationExtensions.Bind{TOptions}(OptionsBuilder{TOptions}, IConfiguration)"/>
    /// once the section's settings with a fixed set of values are checked. Checked while the application is composed,
    /// before the host exists, a refused value stops the start with the bridge's one line and no host error log.
    /// </summary>
    /// <exception cref="OptionsValidationException">A setting holds none of its values; the message names each one.</exception>
    public static OptionsBuilder<T> BindChecked<T>(this OptionsBuilder<T> options, IConfigurationSection section) where T : class
    {
        ThrowIfRefused(section, typeof(T), options.Name);
        return options.Bind(section);
    }

    /// <inheritdoc cref="BindChecked{T}(OptionsBuilder{T}, IConfigurationSection)"/>
    public static void ThrowIfRefused(IConfigurationSection section, Type type, string? name = null)
    {
        if (Problems(section, type) is { Count: > 0 } problems)
            throw new OptionsValidationException(name ?? Options.DefaultName, type, problems);
    }

    /// <summary>One message per setting of <paramref name="type"/> under <paramref name="section"/> that holds none of its values.</summary>
    internal static List<string> Problems(IConfigurationSection section, Type type)
    {
        var problems = new List<string>();
        Check(section, type, problems);
        return problems;
    }

    private static void Check(IConfigurationSection section, Type type, List<string> problems)
    {
        var target = Nullable.GetUnderlyingType(type) ?? type;
        if (target.IsEnum)
        {
            if (section.Value is { } value && !Takes(target, value))
                problems.Add($"{section.Path} must be {Choices(target)}, not '{value}'.");
            return;
        }
        // Text the binder converts as a whole (strings, numbers, TimeSpan, Uri): nothing to look into.
        if (TypeDescriptor.GetConverter(target).CanConvertFrom(typeof(string))) return;

        if (ItemType(target) is { } itemType)
        {
            foreach (var item in section.GetChildren())
                Check(item, itemType, problems);
            return;
        }
        // Only where the configuration has settings: that ends the descent whatever the classes refer to.
        foreach (var property in target.GetProperties(BindingFlags.Public | BindingFlags.Instance))
            if (property.GetIndexParameters().Length == 0 && section.GetSection(property.Name) is var setting && setting.Exists())
                Check(setting, property.PropertyType, problems);
    }

    /// <summary>What the binder takes for one of the values: a name in any letter case, or the number of one.</summary>
    private static bool Takes(Type enumType, string value) =>
        Enum.TryParse(enumType, value, ignoreCase: true, out var parsed) && Enum.IsDefined(enumType, parsed!);

    /// <summary>'A' or 'B'; 'A', 'B' or 'C'.</summary>
    private static string Choices(Type enumType)
    {
        var names = Enum.GetNames(enumType).Select(n => $"'{n}'").ToArray();
        return names.Length == 1 ? names[0] : $"{string.Join(", ", names[..^1])} or {names[^1]}";
    }

    /// <summary>The type of the values of a dictionary, or of the items of a list or array; null for any other type.</summary>
    private static Type? ItemType(Type type)
    {
        if (type.IsArray) return type.GetElementType();
        if (!typeof(IEnumerable).IsAssignableFrom(type)) return null;
        var dictionary = type.GetInterfaces().Append(type)
            .FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IDictionary<,>));
        if (dictionary is not null) return dictionary.GetGenericArguments()[1];
        return type.GetInterfaces().Append(type)
            .FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IEnumerable<>))?.GetGenericArguments()[0];
    }
}

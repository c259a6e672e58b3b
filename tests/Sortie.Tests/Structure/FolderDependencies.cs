using Mono.Cecil;

namespace Sortie.Tests.Structure;

/// <summary>
/// Which folder of src/Sortie uses which, read from the compiled server (so method bodies, lambdas, async state
/// machines and Razor components count, not only the using lines): one edge per (user, used) pair of types.
/// </summary>
public static class FolderDependencies
{
    public sealed record Use(string FromFolder, string FromType, string ToFolder, string ToType)
    {
        public override string ToString() => $"{FromFolder} → {ToFolder}: {FromType} uses {ToType}";
    }

    public static IReadOnlyList<Use> Of(string assemblyPath)
    {
        using var module = ModuleDefinition.ReadModule(assemblyPath);
        var uses = new HashSet<Use>();
        foreach (var type in module.GetTypes())
        {
            var from = TopLevel(type);
            if (FolderOf(from) is not { } fromFolder) continue;
            foreach (var used in Referenced(type))
            {
                var to = TopLevel(used);
                if (FolderOf(to) is { } toFolder && toFolder != fromFolder)
                    uses.Add(new Use(fromFolder, from.FullName, toFolder, to.FullName));
            }
        }
        return uses.OrderBy(u => u.ToString(), StringComparer.Ordinal).ToList();
    }

    /// <summary>The folder of a type: the second part of its namespace (Sortie.Sessions.X → "Sessions"); null outside them.</summary>
    public static string? FolderOf(TypeReference type)
    {
        var parts = type.Namespace.Split('.');
        return parts.Length >= 2 && parts[0] == "Sortie" && parts[1] != "Rfb" ? parts[1] : null;
    }

    private static TypeReference TopLevel(TypeReference type)
    {
        while (type.DeclaringType is not null) type = type.DeclaringType;
        return type;
    }

    private static IEnumerable<TypeReference> Referenced(TypeDefinition type)
    {
        if (type.BaseType is not null) yield return type.BaseType;
        foreach (var i in type.Interfaces) yield return i.InterfaceType;
        foreach (var a in type.CustomAttributes) yield return a.AttributeType;
        foreach (var f in type.Fields) yield return f.FieldType;
        foreach (var p in type.Properties) yield return p.PropertyType;
        foreach (var m in type.Methods)
        {
            yield return m.ReturnType;
            foreach (var p in m.Parameters) yield return p.ParameterType;
            foreach (var a in m.CustomAttributes) yield return a.AttributeType;
            if (!m.HasBody) continue;
            foreach (var v in m.Body.Variables) yield return v.VariableType;
            foreach (var instruction in m.Body.Instructions)
                foreach (var t in OperandTypes(instruction.Operand)) yield return t;
        }
    }

    private static IEnumerable<TypeReference> OperandTypes(object? operand)
    {
        switch (operand)
        {
            case TypeReference t:
                foreach (var part in Parts(t)) yield return part;
                break;
            case MethodReference m:
                foreach (var part in Parts(m.DeclaringType)) yield return part;
                foreach (var part in Parts(m.ReturnType)) yield return part;
                foreach (var p in m.Parameters) foreach (var part in Parts(p.ParameterType)) yield return part;
                if (m is GenericInstanceMethod g) foreach (var arg in g.GenericArguments) foreach (var part in Parts(arg)) yield return part;
                break;
            case FieldReference f:
                foreach (var part in Parts(f.DeclaringType)) yield return part;
                foreach (var part in Parts(f.FieldType)) yield return part;
                break;
        }
    }

    /// <summary>A type and what it is made of: the element of an array or a by-ref, the arguments of a generic.</summary>
    private static IEnumerable<TypeReference> Parts(TypeReference type)
    {
        switch (type)
        {
            case GenericInstanceType g:
                yield return g.ElementType;
                foreach (var arg in g.GenericArguments) foreach (var part in Parts(arg)) yield return part;
                break;
            case TypeSpecification spec:
                foreach (var part in Parts(spec.ElementType)) yield return part;
                break;
            default:
                yield return type;
                break;
        }
    }
}

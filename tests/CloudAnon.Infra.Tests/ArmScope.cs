using System.Text.Json;
using System.Text.RegularExpressions;

namespace CloudAnon.Infra.Tests;

/// <summary>
/// One template in the compiled ARM JSON: the root, or the inner template of a nested deployment (a Bicep module).
/// Knows the deployment that instantiates it, so parameter references can be traced back to the caller.
/// </summary>
internal sealed partial class ArmScope
{
    private ArmScope(JsonElement template, JsonElement? deployment, ArmScope? parent)
    {
        Template = template;
        Deployment = deployment;
        Parent = parent;
    }

    public JsonElement Template { get; }

    /// <summary>The Microsoft.Resources/deployments resource that holds this template; null for the root.</summary>
    public JsonElement? Deployment { get; }

    public ArmScope? Parent { get; }

    public string DeploymentName => Deployment?.GetProperty("name").GetString() ?? "(root)";

    public static ArmScope Root(JsonElement template) => new(template, null, null);

    /// <summary>Every resource of this template and of all nested deployments, depth first.</summary>
    public IEnumerable<ArmResource> AllResources()
    {
        foreach (var resource in OwnResources())
        {
            yield return new ArmResource(resource, this);
            if (resource.GetProperty("type").GetString() == "Microsoft.Resources/deployments")
            {
                var nested = new ArmScope(resource.GetProperty("properties").GetProperty("template"), resource, this);
                foreach (var inner in nested.AllResources())
                {
                    yield return inner;
                }
            }
        }
    }

    /// <summary>The nested deployment with this name, anywhere below this template.</summary>
    public ArmScope Module(string deploymentName) =>
        AllResources()
            .Where(r => r.Type == "Microsoft.Resources/deployments" && r.Name == deploymentName)
            .Select(r => new ArmScope(r.Element.GetProperty("properties").GetProperty("template"), r.Element, r.Scope))
            .Single();

    public JsonElement Variable(string name) => Template.GetProperty("variables").GetProperty(name);

    /// <summary>The value this template's caller passes for a parameter, or the parameter's default at the root.</summary>
    public JsonElement ParameterValue(string name)
    {
        if (Deployment is not { } deployment)
        {
            return Template.GetProperty("parameters").GetProperty(name).GetProperty("defaultValue");
        }
        var passed = deployment.GetProperty("properties").GetProperty("parameters").GetProperty(name);
        return passed.ValueKind == JsonValueKind.Object && passed.TryGetProperty("value", out var value) ? value : passed;
    }

    /// <summary>The value a parameter receives, resolved in the caller's scope as far as <see cref="Resolve"/> goes.</summary>
    public (JsonElement Value, ArmScope Scope) ResolveParameter(string name)
    {
        var passed = ParameterValue(name);
        return Deployment is null ? (passed, this) : Parent!.Resolve(passed);
    }

    /// <summary>
    /// Follows a whole-value reference ("[parameters('x')]" or "[variables('x')]") through callers until it reaches a
    /// literal or an expression of another kind, which it returns together with the scope it belongs to.
    /// </summary>
    public (JsonElement Value, ArmScope Scope) Resolve(JsonElement value)
    {
        if (value.ValueKind == JsonValueKind.String)
        {
            var text = value.GetString()!;
            var parameter = WholeParameterReference().Match(text);
            if (parameter.Success)
            {
                return ResolveParameter(parameter.Groups[1].Value);
            }
            var variable = WholeVariableReference().Match(text);
            if (variable.Success)
            {
                return Resolve(Variable(variable.Groups[1].Value));
            }
        }
        return (value, this);
    }

    /// <summary>Resolves a value to a literal string, or fails the test if it is an expression.</summary>
    public string ResolveString(JsonElement value)
    {
        var (resolved, _) = Resolve(value);
        Assert.True(resolved.ValueKind == JsonValueKind.String && !IsExpression(resolved.GetString()!),
            $"expected a literal string, found {resolved}");
        return resolved.GetString()!;
    }

    /// <summary>Replaces references to string variables (and object variables' string members) with their literal values.</summary>
    public string InlineVariables(string expression) =>
        VariableMemberReference().Replace(expression, match =>
        {
            var variable = Variable(match.Groups[1].Value);
            var member = match.Groups[2].Success ? variable.GetProperty(match.Groups[2].Value) : variable;
            return member.ValueKind == JsonValueKind.String && !IsExpression(member.GetString()!)
                ? $"'{member.GetString()}'"
                : match.Value;
        });

    public static bool IsExpression(string text) => text.StartsWith('[') && !text.StartsWith("[[", StringComparison.Ordinal);

    private IEnumerable<JsonElement> OwnResources()
    {
        var resources = Template.GetProperty("resources");
        // languageVersion 2.0 templates key resources by symbolic name.
        return resources.ValueKind == JsonValueKind.Object
            ? resources.EnumerateObject().Select(p => p.Value)
            : resources.EnumerateArray();
    }

    [GeneratedRegex(@"^\[parameters\('([^']+)'\)\]$")]
    private static partial Regex WholeParameterReference();

    [GeneratedRegex(@"^\[variables\('([^']+)'\)\]$")]
    private static partial Regex WholeVariableReference();

    [GeneratedRegex(@"variables\('([^']+)'\)(?:\.(\w+))?")]
    private static partial Regex VariableMemberReference();
}

internal sealed record ArmResource(JsonElement Element, ArmScope Scope)
{
    public string Type => Element.GetProperty("type").GetString()!;

    public string Name => Element.GetProperty("name").GetString()!;

    public JsonElement Properties => Element.GetProperty("properties");

    public string? Condition => Element.TryGetProperty("condition", out var condition) ? condition.ToString() : null;

    public string? ScopeExpression => Element.TryGetProperty("scope", out var scope) ? scope.GetString() : null;
}

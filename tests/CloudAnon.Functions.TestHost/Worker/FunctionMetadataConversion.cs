using System.Text.Json;
using Microsoft.Azure.WebJobs.Script.Grpc.Messages;

namespace CloudAnon.Functions.TestHost.Worker;

/// <summary>
/// What the Functions host does to the worker's function metadata before loading it: the worker sends its bindings as
/// JSON strings (<c>raw_bindings</c>); the host turns them into the <c>bindings</c> map and fills in the function id,
/// directory and a rooted script file. Without this the load fails or binds nothing.
/// </summary>
internal static class FunctionMetadataConversion
{
    public static RpcFunctionMetadata ForLoad(RpcFunctionMetadata reported, string appDirectory)
    {
        var metadata = reported.Clone();
        if (string.IsNullOrEmpty(metadata.FunctionId))
        {
            metadata.FunctionId = Guid.NewGuid().ToString();
        }

        metadata.Directory = appDirectory;
        metadata.ScriptFile = Path.GetFullPath(metadata.ScriptFile, appDirectory);
        foreach (var raw in metadata.RawBindings)
        {
            var (name, binding) = ToBindingInfo(raw);
            metadata.Bindings[name] = binding;
        }

        return metadata;
    }

    /// <summary>The name of the function's trigger binding (the one whose type ends in "Trigger").</summary>
    public static string TriggerBindingName(RpcFunctionMetadata metadata) =>
        metadata.Bindings.Single(binding => binding.Value.Type.EndsWith("Trigger", StringComparison.OrdinalIgnoreCase)).Key;

    private static (string Name, BindingInfo Binding) ToBindingInfo(string rawBinding)
    {
        using var json = JsonDocument.Parse(rawBinding);
        var binding = new BindingInfo();
        string? name = null;
        foreach (var property in json.RootElement.EnumerateObject())
        {
            switch (property.Name.ToLowerInvariant())
            {
                case "name":
                    name = property.Value.GetString();
                    break;
                case "type":
                    binding.Type = property.Value.GetString() ?? "";
                    break;
                case "direction":
                    binding.Direction = Enum.Parse<BindingInfo.Types.Direction>(property.Value.GetString() ?? "in", ignoreCase: true);
                    break;
                case "datatype":
                    binding.DataType = Enum.Parse<BindingInfo.Types.DataType>(property.Value.GetString() ?? "undefined", ignoreCase: true);
                    break;
                case "properties":
                    foreach (var item in property.Value.EnumerateObject())
                    {
                        binding.Properties[item.Name] = item.Value.ToString();
                    }

                    break;
            }
        }

        return (name ?? throw new InvalidDataException("A binding of the worker's metadata has no name."), binding);
    }
}

using System.Text.Json;
using System.Text.RegularExpressions;

namespace CloudAnon.Infra.Tests;

[Collection(CompiledInfrastructureCollection.Name)]
public sealed partial class RoleAssignmentTests(CompiledInfrastructure infrastructure)
{
    private const string StorageBlobDataContributor = "ba92f5b4-2d11-453d-a403-e96b0029c9fe";
    private const string StorageBlobDataOwner = "b7e6dc6d-f1e8-4753-8033-0f276bb0955b";
    private const string StorageQueueDataContributor = "974c5e8b-45b9-4653-ba55-5f855dd0fb88";
    private const string StorageTableDataContributor = "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3";
    private const string StorageQueueDataReader = "19e7f393-937e-4f77-808e-94535e297925";
    private const string StorageQueueDataMessageProcessor = "8a0f0c08-91a1-4084-bc3d-661d67233fed";
    private const string StorageQueueDataMessageSender = "c6a89b2d-59bc-44d0-9896-0f6e12d7b80a";
    private const string KeyVaultSecretsUser = "4633458b-17de-408a-b874-0445c86b69e6";
    private const string MonitoringMetricsPublisher = "3913510d-42f4-4e42-8a64-420c390055eb";
    private const string KeyVaultReader = "21090545-7ca7-4776-b22c-e363652d74d2";
    private const string KeyVaultCertificatesOfficer = "a4417e6f-fecd-4de8-b567-7b0420556985";
    private const string CertificateOperator = "pre-created: certificateOperatorRoleDefinitionId";
    private const string VaultScope = "[resourceId('Microsoft.KeyVault/vaults', parameters('keyVaultName'))]";
    private const string OperatorPrincipal = "[parameters('operatorPrincipalId')]";

    // Built-in roles whose data actions include reading secret values (and so a certificate's private key).
    private static readonly HashSet<string> SecretReadingRoles =
    [
        "00482a5a-887f-4fb3-b363-3b7fe8e74483", // Key Vault Administrator
        "b86a8fe4-44ce-4948-aee5-eccb2c155cd7", // Key Vault Secrets Officer
        KeyVaultSecretsUser,
        "db79e9a7-68ee-4b58-9aeb-b90e7c24fcba", // Key Vault Certificate User
        "8b54135c-b56d-4d72-a534-26097cfdc8d8", // Key Vault Data Access Administrator (can grant itself any of these)
    ];

    private const string MappingKeySecretScope =
        "[resourceId('Microsoft.KeyVault/vaults/secrets', parameters('keyVaultName'), parameters('mappingKeySecretName'))]";

    private const string MappingTableScope =
        "[resourceId('Microsoft.Storage/storageAccounts/tableServices/tables', parameters('dataStorageAccountName'), 'default', parameters('mappingTableName'))]";

    private const string BackfillStateTableScope =
        "[resourceId('Microsoft.Storage/storageAccounts/tableServices/tables', parameters('dataStorageAccountName'), 'default', parameters('backfillStateTableName'))]";

    private const string AuditTableScope =
        "[resourceId('Microsoft.Storage/storageAccounts/tableServices/tables', parameters('dataStorageAccountName'), 'default', parameters('auditTableName'))]";

    private const string StorageTableDataReader = "76199698-9eea-4c19-bc75-cec21354c6b6";
    private const string StorageBlobDataReader = "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1";

    [Fact]
    public void Operator_ReadsTheAuditRecords_AndWritesNone()
    {
        var operatorRoles = OperatorAssignments().Select(a => (RoleOf(a), a.ScopeExpression!)).ToHashSet();
        Assert.Contains((StorageTableDataReader, AuditTableScope), operatorRoles);
        Assert.Contains((StorageBlobDataReader, Container("auditContainerName")), operatorRoles);
        Assert.DoesNotContain(operatorRoles, r => r.Item1 != StorageTableDataReader && r.Item2 == AuditTableScope);
    }

    private static string Queue(string parameter) =>
        $"[resourceId('Microsoft.Storage/storageAccounts/queueServices/queues', parameters('dataStorageAccountName'), 'default', parameters('{parameter}'))]";

    private static string Container(string parameter) =>
        $"[resourceId('Microsoft.Storage/storageAccounts/blobServices/containers', parameters('dataStorageAccountName'), 'default', parameters('{parameter}'))]";

    [Fact]
    public void FunctionIdentity_GetsExactlyTheIntendedRolesAndScopes()
    {
        var expected = new HashSet<(string Role, string Scope)>
        {
            (StorageBlobDataContributor, Container("ingressContainerName")),
            (StorageBlobDataContributor, Container("egressContainerName")),
            (StorageBlobDataContributor, Container("quarantineContainerName")),
            (StorageTableDataContributor, MappingTableScope),
            (StorageTableDataContributor, AuditTableScope),
            (StorageBlobDataContributor, Container("auditContainerName")),
            (StorageQueueDataMessageSender, Queue("studyCompleteQueueName")),
            (StorageQueueDataContributor, Queue("poisonQueueName")),
            (StorageQueueDataReader, Queue("backfillQueueName")),
            (StorageQueueDataMessageProcessor, Queue("backfillQueueName")),
            (StorageQueueDataContributor, Queue("backfillPoisonQueueName")),
            (StorageBlobDataOwner, "[resourceId('Microsoft.Storage/storageAccounts', parameters('runtimeStorageAccountName'))]"),
            (StorageQueueDataContributor, "[resourceId('Microsoft.Storage/storageAccounts', parameters('runtimeStorageAccountName'))]"),
            (KeyVaultReader, VaultScope),
            (KeyVaultSecretsUser, MappingKeySecretScope),
            (MonitoringMetricsPublisher, "[resourceId('Microsoft.Insights/components', parameters('applicationInsightsName'))]"),
        };

        var functionAssignments = RoleAssignments()
            .Where(a => a.Properties.GetProperty("principalId").GetString()!
                .Contains("'Microsoft.ManagedIdentity/userAssignedIdentities', parameters('functionIdentityName')", StringComparison.Ordinal))
            .ToList();
        // Only the role on the mapping key secret waits for the secret, which the postprovision hook creates.
        Assert.All(functionAssignments.Where(a => a.ScopeExpression != MappingKeySecretScope), a => Assert.Null(a.Condition));
        Assert.Equal("[parameters('mappingKeySecretExists')]", Assert.Single(functionAssignments, a => a.ScopeExpression == MappingKeySecretScope).Condition);
        var actual = functionAssignments.Select(a => (RoleOf(a), a.ScopeExpression!)).ToList();

        Assert.Equal(expected.Count, actual.Count);
        Assert.Equal(expected, actual.ToHashSet());
    }

    [Fact]
    public void RbacModule_TargetsTheDeployedAccountsVaultAndFunctionIdentity()
    {
        var rbac = infrastructure.Root.Module("rbac");
        Assert.Equal("[variables('dataStorageAccountName')]", rbac.ParameterValue("dataStorageAccountName").GetString());
        Assert.Equal("[variables('runtimeStorageAccountName')]", rbac.ParameterValue("runtimeStorageAccountName").GetString());
        Assert.Equal("[variables('keyVaultName')]", rbac.ParameterValue("keyVaultName").GetString());
        Assert.Equal("[variables('identityName')]", rbac.ParameterValue("functionIdentityName").GetString());
        Assert.Equal("[parameters('mappingKeySecretName')]", rbac.ParameterValue("mappingKeySecretName").GetString());
        Assert.Equal("webjobs-blobtrigger-poison", rbac.ResolveParameter("poisonQueueName").Value.GetString());

        // With the default, the runtime account is a different account from the data account.
        var runtimeName = infrastructure.Root.Variable("runtimeStorageAccountName").GetString()!;
        Assert.StartsWith("[if(parameters('useSingleStorageAccount'), variables('dataStorageAccountName'), ", runtimeName, StringComparison.Ordinal);
        Assert.False(infrastructure.Root.ParameterValue("useSingleStorageAccount").GetBoolean());
    }

    /// <summary>The optional gateway's DICOM TLS certificate (its own, never the de-identification certificate).</summary>
    internal const string GatewayTlsSecretScope =
        "[resourceId('Microsoft.KeyVault/vaults/secrets', parameters('keyVaultName'), if(variables('tlsEnabled'), parameters('tlsCertificateName'), 'none'))]";

    [Fact]
    public void NoPrincipal_CanReadSecretsBeyondTheMappingKey_AndTheGatewaysTlsCertificate()
    {
        Assert.All(RoleAssignments().Where(a => SecretReadingRoles.Contains(RoleOf(a))),
            a => Assert.Contains(a.ScopeExpression, new[] { MappingKeySecretScope, GatewayTlsSecretScope }));
        Assert.All(RoleAssignments().Where(a => a.ScopeExpression == GatewayTlsSecretScope), a => Assert.Equal("gateway", a.Scope.DeploymentName));
    }

    [Fact]
    public void Deployment_DefinesNoRoles_SoItNeedsNoRoleDefinitionsWrite()
    {
        // A CI service principal with Contributor and Role Based Access Control Administrator can deploy it.
        Assert.Empty(infrastructure.ResourcesOfType("Microsoft.Authorization/roleDefinitions"));
    }

    [Fact]
    public void FunctionIdentity_ReadsTheCertificateWithKeyVaultReader_WhichReadsNoSecretValue()
    {
        // Key Vault Reader reads certificates' public parts and metadata; it is not a secret-reading role.
        Assert.DoesNotContain(KeyVaultReader, SecretReadingRoles);
        var functionVaultRoles = RoleAssignments()
            .Where(a => a.ScopeExpression == VaultScope && a.Scope.DeploymentName == "rbac" && a.Properties.GetProperty("principalType").GetString() == "ServicePrincipal")
            .Select(RoleOf);
        Assert.Equal([KeyVaultReader], functionVaultRoles);
    }

    [Fact]
    public void CertificateOperatorRole_ImportsAndRotatesWithoutBackupRestoreDeleteOrSecrets()
    {
        using var role = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepositoryPaths.Infra, "roles", "certificate-operator.json")));
        var dataActions = Strings(role.RootElement.GetProperty("DataActions"));
        Assert.Contains("Microsoft.KeyVault/vaults/certificates/import/action", dataActions);
        Assert.Empty(Strings(role.RootElement.GetProperty("Actions")));
        Assert.All(dataActions, action =>
        {
            Assert.StartsWith("Microsoft.KeyVault/vaults/certificates/", action, StringComparison.Ordinal);
            Assert.DoesNotContain("*", action, StringComparison.Ordinal);
            foreach (var forbidden in new[] { "backup", "restore", "delete", "purge", "recover" })
            {
                Assert.DoesNotContain(forbidden, action, StringComparison.OrdinalIgnoreCase);
            }
        });

        // The operator gets it, and only it, for certificates: never Certificates Officer (backup, restore of any certificate).
        var certificateAssignment = Assert.Single(RoleAssignments(), a => RoleOf(a) == CertificateOperator);
        Assert.Equal(VaultScope, certificateAssignment.ScopeExpression);
        Assert.Equal(OperatorPrincipal, certificateAssignment.Properties.GetProperty("principalId").GetString());
        Assert.Equal("[and(not(empty(parameters('operatorPrincipalId'))), not(empty(parameters('certificateOperatorRoleDefinitionId'))))]", certificateAssignment.Condition);
        Assert.DoesNotContain(RoleAssignments(), a => RoleOf(a) == KeyVaultCertificatesOfficer);
    }

    [Fact]
    public void MappingKeySecret_IsNotTheCertificatesBackingSecret()
    {
        // Key Vault stores a certificate's private key in a secret of the same name.
        var root = infrastructure.Root;
        Assert.NotEqual(root.ParameterValue("certificateName").GetString(), root.ParameterValue("mappingKeySecretName").GetString());
    }

    [Fact]
    public void OperatorRoles_ExistOnlyWhenAPrincipalIsGiven()
    {
        var operatorAssignments = OperatorAssignments().ToList();
        Assert.NotEmpty(operatorAssignments);
        Assert.All(operatorAssignments, a => Assert.True(
            a.Condition == "[not(empty(parameters('operatorPrincipalId')))]" || a.Condition!.StartsWith("[and(not(empty(parameters('operatorPrincipalId'))), ", StringComparison.Ordinal),
            $"operator role without the operator condition: {a.Condition}"));
    }

    [Fact]
    public void Operator_IsItsOwnPrincipalParameter_WithItsTypeFromAParameter_NotTheDeployer()
    {
        var root = infrastructure.Root;
        var parameters = root.Template.GetProperty("parameters");
        Assert.False(parameters.TryGetProperty("principalId", out _), "the deploying identity must not be the operator by default");
        Assert.Equal("", root.ParameterValue("operatorPrincipalId").GetString());
        Assert.Equal("Group", root.ParameterValue("operatorPrincipalType").GetString());

        var rbac = root.Module("rbac");
        Assert.Equal("[parameters('operatorPrincipalId')]", rbac.ParameterValue("operatorPrincipalId").GetString());
        Assert.Equal("[parameters('operatorPrincipalType')]", rbac.ParameterValue("operatorPrincipalType").GetString());
        Assert.All(OperatorAssignments(), a => Assert.Equal("[parameters('operatorPrincipalType')]", a.Properties.GetProperty("principalType").GetString()));
        // Every other assignment is to a managed identity, whose type is fixed.
        Assert.All(RoleAssignments().Where(a => a.Properties.GetProperty("principalId").GetString() != OperatorPrincipal), a => Assert.Equal("ServicePrincipal", a.Properties.GetProperty("principalType").GetString()));
    }

    [Fact]
    public void Operator_CanRunBackfill_SendingToTheBackfillQueueOnly_WithItsStateApartFromTheMappingTable()
    {
        var operatorRoles = OperatorAssignments().Select(a => (RoleOf(a), a.ScopeExpression!)).ToHashSet();

        Assert.Contains((StorageQueueDataMessageSender, Queue("backfillQueueName")), operatorRoles);
        Assert.Contains((StorageTableDataContributor, BackfillStateTableScope), operatorRoles);
        // Backfill encrypts its saved position with the mapping key: it reads that one secret, once it exists.
        Assert.Contains((KeyVaultSecretsUser, MappingKeySecretScope), operatorRoles);
        Assert.Equal("[and(not(empty(parameters('operatorPrincipalId'))), parameters('mappingKeySecretExists'))]",
            Assert.Single(OperatorAssignments(), a => a.ScopeExpression == MappingKeySecretScope).Condition);
        Assert.DoesNotContain(operatorRoles, r => r.Item2 == MappingTableScope);
        Assert.DoesNotContain(operatorRoles, r => r.Item1 == StorageQueueDataContributor);
        Assert.Equal("backfillstate", infrastructure.Root.Module("rbac").ResolveParameter("backfillStateTableName").Value.GetString());
    }

    [Fact]
    public void Operator_GetsExactlyItsRoles()
    {
        var expected = new HashSet<(string Role, string Scope)>
        {
            (StorageBlobDataContributor, Container("ingressContainerName")),
            ("2a2b9908-6ea1-4ae2-8e65-a410df84e7d1", Container("egressContainerName")), // Storage Blob Data Reader
            ("2a2b9908-6ea1-4ae2-8e65-a410df84e7d1", Container("quarantineContainerName")),
            (StorageQueueDataMessageSender, Queue("backfillQueueName")),
            (StorageTableDataContributor, BackfillStateTableScope),
            (KeyVaultSecretsUser, MappingKeySecretScope),
            (CertificateOperator, VaultScope),
            (StorageTableDataReader, AuditTableScope),
            (StorageBlobDataReader, Container("auditContainerName")),
        };
        var actual = OperatorAssignments().Select(a => (RoleOf(a), a.ScopeExpression!)).ToList();
        Assert.Equal(expected.Count, actual.Count);
        Assert.Equal(expected, actual.ToHashSet());
    }

    [Fact]
    public void BackfillQueues_AreTheSettingAndItsPoisonQueue()
    {
        var rbac = infrastructure.Root.Module("rbac");
        Assert.Equal("backfill", rbac.ResolveParameter("backfillQueueName").Value.GetString());
        Assert.Equal("[format('{0}-poison', parameters('backfillQueueName'))]", rbac.ResolveParameter("backfillPoisonQueueName").Value.GetString());
        Assert.Equal("[parameters('backfillQueueName')]", infrastructure.Root.Module("function").ResolveParameter("cloudAnonSettings").Value.GetProperty("BackfillQueue").GetString());
    }

    private IEnumerable<ArmResource> RoleAssignments() => infrastructure.ResourcesOfType("Microsoft.Authorization/roleAssignments");

    private IEnumerable<ArmResource> OperatorAssignments() =>
        RoleAssignments().Where(a => a.Properties.GetProperty("principalId").GetString() == OperatorPrincipal);

    internal static string RoleOf(ArmResource assignment)
    {
        var roleDefinitionId = assignment.Scope.InlineVariables(assignment.Properties.GetProperty("roleDefinitionId").GetString()!);
        if (roleDefinitionId == "[parameters('certificateOperatorRoleDefinitionId')]")
        {
            return CertificateOperator;
        }
        var builtIn = BuiltInRoleDefinition().Match(roleDefinitionId);
        Assert.True(builtIn.Success, $"unrecognised role definition {roleDefinitionId}");
        return builtIn.Groups[1].Value;
    }

    private static List<string> Strings(JsonElement array) => array.EnumerateArray().Select(e => e.GetString()!).ToList();

    [GeneratedRegex(@"^\[subscriptionResourceId\('Microsoft\.Authorization/roleDefinitions', '([0-9a-f-]{36})'\)\]$")]
    private static partial Regex BuiltInRoleDefinition();
}

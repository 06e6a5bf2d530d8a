// Key Vault for the de-identification certificate and the mapping HMAC key: RBAC only, soft delete, purge protection,
// closed to public networks unless told otherwise. The mapping key secret is created by the postprovision hook, never
// by a deployment (see infra/hooks/ensure-mapping-key.sh).
param name string
param location string
param tags object = {}
param logAnalyticsWorkspaceId string

@description('Accept every public network (no private endpoint). Otherwise only allowedIpAddresses pass the firewall.')
param publicNetworkOpen bool = false
@description('Public IP addresses or CIDR ranges let through the firewall.')
param allowedIpAddresses string[] = []

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    tenantId: subscription().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 90
    enablePurgeProtection: true
    publicNetworkAccess: publicNetworkOpen || !empty(allowedIpAddresses) ? 'Enabled' : 'Disabled'
    networkAcls: {
      bypass: 'AzureServices'
      defaultAction: publicNetworkOpen ? 'Allow' : 'Deny'
      ipRules: [for ip in allowedIpAddresses: { value: ip }]
    }
  }
}

// The audit category records who read or changed which secret or certificate (names, caller, address), never a value.
resource vaultDiagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'to-log-analytics'
  scope: vault
  properties: {
    workspaceId: logAnalyticsWorkspaceId
    logs: [{ categoryGroup: 'audit', enabled: true }]
    metrics: [{ category: 'AllMetrics', enabled: true }]
  }
}

output id string = vault.id
output name string = vault.name
output uri string = vault.properties.vaultUri

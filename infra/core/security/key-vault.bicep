// Key Vault for the de-identification certificate and the mapping HMAC key: RBAC only, soft delete, purge protection.
param name string
param location string
param tags object = {}
param logAnalyticsWorkspaceId string

@description('Refuse traffic from public networks except trusted Azure services and allowedIpAddresses.')
param restrictPublicNetwork bool = false
param allowedIpAddresses string[] = []

@description('Name of the secret holding the HMAC key for consistent replacements.')
param mappingKeySecretName string

@secure()
@description('Value of the mapping key secret (base64 of 32 random bytes); keep it stable across deployments.')
param mappingKey string

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
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      bypass: 'AzureServices'
      defaultAction: restrictPublicNetwork ? 'Deny' : 'Allow'
      ipRules: [for ip in allowedIpAddresses: { value: ip }]
    }
  }

  resource mappingKeySecret 'secrets' = {
    name: mappingKeySecretName
    properties: {
      value: mappingKey
      contentType: 'application/octet-stream; encoding=base64'
    }
  }
}

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

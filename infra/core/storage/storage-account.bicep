// A storage account that only accepts Entra ID (no shared keys, no anonymous blobs, TLS 1.2 and HTTPS only).
param name string
param location string
param tags object = {}

@allowed(['Standard_LRS', 'Standard_ZRS', 'Standard_GRS', 'Standard_GZRS'])
param skuName string = 'Standard_LRS'

param containers string[] = []
param queues string[] = []
param tables string[] = []

@description('Keep previous blob versions (account-wide; Azure has no per-container versioning).')
param versioningEnabled bool = false

@description('Days deleted blobs and containers stay recoverable; null turns soft delete off.')
@minValue(1)
@maxValue(365)
param softDeleteRetentionDays int?

@description('Lifecycle management rules (Microsoft.Storage/storageAccounts/managementPolicies rule objects).')
param lifecycleRules object[] = []

@description('Refuse traffic from public networks except trusted Azure services and allowedIpAddresses.')
param restrictPublicNetwork bool = false
param allowedIpAddresses string[] = []

@description('Log Analytics workspace that receives the account\'s metrics and its blob, queue and table logs.')
param logAnalyticsWorkspaceId string

resource account 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: name
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: skuName
  }
  properties: {
    accessTier: 'Hot'
    allowBlobPublicAccess: false
    allowSharedKeyAccess: false
    allowCrossTenantReplication: false
    defaultToOAuthAuthentication: true
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    dnsEndpointType: 'Standard'
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      // Trusted services (Event Grid dead-lettering with its managed identity) pass even when the rest is denied.
      bypass: 'AzureServices'
      defaultAction: restrictPublicNetwork ? 'Deny' : 'Allow'
      ipRules: [for ip in allowedIpAddresses: { value: ip, action: 'Allow' }]
    }
  }

  resource blobService 'blobServices' = {
    name: 'default'
    properties: {
      isVersioningEnabled: versioningEnabled
      deleteRetentionPolicy: {
        enabled: softDeleteRetentionDays != null
        days: softDeleteRetentionDays
      }
      containerDeleteRetentionPolicy: {
        enabled: softDeleteRetentionDays != null
        days: softDeleteRetentionDays
      }
    }

    resource blobContainers 'containers' = [for container in containers: {
      name: container
      properties: {
        publicAccess: 'None'
      }
    }]
  }

  resource queueService 'queueServices' = {
    name: 'default'

    resource storageQueues 'queues' = [for queue in queues: {
      name: queue
    }]
  }

  resource tableService 'tableServices' = {
    name: 'default'

    resource storageTables 'tables' = [for table in tables: {
      name: table
    }]
  }

  resource lifecycle 'managementPolicies' = if (!empty(lifecycleRules)) {
    name: 'default'
    properties: {
      policy: {
        rules: lifecycleRules
      }
    }
  }
}

resource accountDiagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'to-log-analytics'
  scope: account
  properties: {
    workspaceId: logAnalyticsWorkspaceId
    metrics: [{ category: 'Transaction', enabled: true }]
  }
}

// Storage logs record request URIs, so blob names reach the workspace: restrict who can query it.
var serviceDiagnostics = {
  workspaceId: logAnalyticsWorkspaceId
  logs: [{ categoryGroup: 'allLogs', enabled: true }]
  metrics: [{ category: 'Transaction', enabled: true }]
}

resource blobDiagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'to-log-analytics'
  scope: account::blobService
  properties: serviceDiagnostics
}

resource queueDiagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'to-log-analytics'
  scope: account::queueService
  properties: serviceDiagnostics
}

resource tableDiagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'to-log-analytics'
  scope: account::tableService
  properties: serviceDiagnostics
}

output id string = account.id
output name string = account.name
output blobEndpoint string = account.properties.primaryEndpoints.blob
output queueEndpoint string = account.properties.primaryEndpoints.queue
output tableEndpoint string = account.properties.primaryEndpoints.table

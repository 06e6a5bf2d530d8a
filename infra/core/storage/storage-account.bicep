// A storage account that only accepts Entra ID (no shared keys, no anonymous blobs, TLS 1.2 and HTTPS only), encrypted
// twice (service and infrastructure layers) with account-scoped keys for every service, and closed to public networks
// unless told otherwise.
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

@description('Accept every public network (no private endpoints). Otherwise only allowedIpAddresses and, with allowTrustedServices, trusted Azure services pass the firewall.')
param publicNetworkOpen bool = false
@description('Public IP addresses or CIDR ranges (/30 or wider) let through the firewall.')
param allowedIpAddresses string[] = []
@description('Let trusted Azure services that authenticate with their managed identity (Event Grid dead-lettering) through the firewall.')
param allowTrustedServices bool = false

@description('Log Analytics workspace that receives the account\'s transaction metrics (no resource logs: they hold blob names).')
param logAnalyticsWorkspaceId string

// Account-scoped keys ("Account") and infrastructure encryption can only be chosen when the account is created; a
// customer-managed key added later then covers queues and tables too.
var encryptedService = { enabled: true, keyType: 'Account' }

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
    encryption: {
      keySource: 'Microsoft.Storage'
      requireInfrastructureEncryption: true
      services: {
        blob: encryptedService
        file: encryptedService
        queue: encryptedService
        table: encryptedService
      }
    }
    // The firewall is the only way in from outside the VNet: with nothing to let through, the public endpoint is off.
    publicNetworkAccess: publicNetworkOpen || allowTrustedServices || !empty(allowedIpAddresses) ? 'Enabled' : 'Disabled'
    networkAcls: {
      bypass: allowTrustedServices ? 'AzureServices' : 'None'
      defaultAction: publicNetworkOpen ? 'Allow' : 'Deny'
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

// Metrics only. Storage resource logs (StorageRead/StorageWrite/StorageDelete) record each request's URI, i.e. every
// blob name, and blob names can hold PHI: they are not sent anywhere.
var transactionMetrics = {
  workspaceId: logAnalyticsWorkspaceId
  metrics: [{ category: 'Transaction', enabled: true }]
}

resource accountDiagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'to-log-analytics'
  scope: account
  properties: transactionMetrics
}

resource blobDiagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'to-log-analytics'
  scope: account::blobService
  properties: transactionMetrics
}

resource queueDiagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'to-log-analytics'
  scope: account::queueService
  properties: transactionMetrics
}

resource tableDiagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'to-log-analytics'
  scope: account::tableService
  properties: transactionMetrics
}

output id string = account.id
output name string = account.name
output blobEndpoint string = account.properties.primaryEndpoints.blob
output queueEndpoint string = account.properties.primaryEndpoints.queue
output tableEndpoint string = account.properties.primaryEndpoints.table

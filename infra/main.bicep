// CloudAnon on Azure: ingress/egress/quarantine storage, a Flex Consumption function app triggered through Event Grid,
// Key Vault for the de-identification certificate and mapping key, and monitoring. Deploy with `azd up`.
targetScope = 'subscription'

@minLength(1)
@maxLength(64)
@description('Name of the azd environment; it seeds the unique suffix of every resource name.')
param environmentName string

@minLength(1)
@description('Primary location for all resources.')
@metadata({ azd: { type: 'location' } })
param location string

@description('Resource group to create; empty for rg-<environmentName>.')
param resourceGroupName string = ''

@description('Optional operator (azd fills in the signed-in user): uploads to ingress, reads egress and quarantine, manages the certificate.')
param principalId string = ''
@allowed(['User', 'Group', 'ServicePrincipal'])
param principalType string = 'User'

@description('Keep the function runtime and its deployment package in the data account instead of a separate one. The runtime\'s account-wide Storage Blob Data Owner role then covers the data containers too.')
param useSingleStorageAccount bool = false

@allowed(['Standard_LRS', 'Standard_ZRS', 'Standard_GRS', 'Standard_GZRS'])
param dataStorageSkuName string = 'Standard_ZRS'

param ingressContainerName string = 'ingress'
param egressContainerName string = 'egress'
param quarantineContainerName string = 'quarantine'
param mappingTableName string = 'mappings'

@description('Storage Queue that `cloudanon backfill` fills and the DeidentifyBackfillBlob queue trigger drains.')
param backfillQueueName string = 'backfill'

@description('Days deleted blobs stay recoverable in the data account (protects egress; note that deleted ingress blobs, which hold PHI, are kept as long).')
@minValue(1)
@maxValue(365)
param softDeleteRetentionDays int = 7

@description('Delete ingress blobs this many days after their last change (a safety net for blobs never processed); 0 keeps them.')
@minValue(0)
param ingressRetentionDays int = 0

@description('Name of the de-identification certificate in Key Vault (the function reads only its public part).')
param certificateName string = 'cloudanon-deid'

@description('Name of the Key Vault secret holding the HMAC key for consistent replacements.')
param mappingKeySecretName string = 'cloudanon-mapping-key'

@secure()
@description('The mapping HMAC key (base64 of 32 random bytes). Changing it changes every replacement value.')
param mappingKey string

@description('De-identification profile options (see the CLI\'s --profile-options).')
param profileOptions string = ''
@description('UID root for generated UIDs; empty for a 2.25 (UUID-derived) root.')
param rootUid string = ''
param contentCipher string = 'aes256'
param irreversible bool = false
param afterSuccess string = 'keep'
param quarantineBurnedInAnnotation bool = true
@description('Quarantine inputs that already carry de-identification marks instead of de-identifying them again.')
param quarantineAlreadyDeidentified bool = false

@minValue(1)
@maxValue(1000)
param maximumInstanceCount int = 100
@allowed([512, 2048, 4096])
param instanceMemoryMB int = 2048

@description('Put storage and Key Vault behind private endpoints and integrate the function app with a VNet.')
param vnetEnabled bool = false
@description('Public IP addresses or CIDR ranges (operators, CI) still allowed to reach storage and Key Vault when vnetEnabled.')
param allowedIpAddresses string[] = []

@description('Create the Event Grid subscription to the function\'s webhook; the azd postdeploy hook turns it on once the code runs.')
param ingressEventSubscriptionEnabled bool = false

@minValue(30)
@maxValue(730)
param logRetentionInDays int = 30

var abbrs = loadJsonContent('abbreviations.json')
var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var tags = { 'azd-env-name': environmentName }

var functionAppName = '${abbrs.webSitesFunctions}${resourceToken}'
var dataStorageAccountName = '${abbrs.storageStorageAccounts}${resourceToken}'
var runtimeStorageAccountName = useSingleStorageAccount ? dataStorageAccountName : '${abbrs.storageStorageAccounts}fn${resourceToken}'
var identityName = '${abbrs.managedIdentityUserAssignedIdentities}cloudanon-${resourceToken}'
var keyVaultName = '${abbrs.keyVaultVaults}${resourceToken}'
var applicationInsightsName = '${abbrs.insightsComponents}${resourceToken}'
var eventGridTopicName = '${abbrs.eventGridDomainsTopics}${resourceToken}'
var deploymentContainerName = 'app-package-${take(functionAppName, 32)}-${take(resourceToken, 7)}'
var deadLetterContainerName = '${ingressContainerName}-deadletter'
// The blob extension's queue for blobs that failed every retry, on the trigger connection's account.
var poisonQueueName = 'webjobs-blobtrigger-poison'
// The queue extension moves a backfill message that failed maxDequeueCount times here (created up front: see rbac.bicep).
var backfillPoisonQueueName = '${backfillQueueName}-poison'

var dataContainers = [ingressContainerName, egressContainerName, quarantineContainerName, deadLetterContainerName]

// Versioning keeps previous versions of ingress blobs (PHI) too: delete those after a day; optionally expire stale ingress.
var ingressLifecycleRules = concat(
  [
    {
      name: 'ingress-previous-versions'
      enabled: true
      type: 'Lifecycle'
      definition: {
        filters: { blobTypes: ['blockBlob'], prefixMatch: ['${ingressContainerName}/'] }
        actions: { version: { delete: { daysAfterCreationGreaterThan: 1 } } }
      }
    }
  ],
  ingressRetentionDays == 0
    ? []
    : [
        {
          name: 'ingress-expiry'
          enabled: true
          type: 'Lifecycle'
          definition: {
            filters: { blobTypes: ['blockBlob'], prefixMatch: ['${ingressContainerName}/'] }
            actions: { baseBlob: { delete: { daysAfterModificationGreaterThan: ingressRetentionDays } } }
          }
        }
      ]
)

resource rg 'Microsoft.Resources/resourceGroups@2024-03-01' = {
  name: empty(resourceGroupName) ? '${abbrs.resourcesResourceGroups}${environmentName}' : resourceGroupName
  location: location
  tags: tags
}

module identity 'core/security/user-assigned-identity.bicep' = {
  name: 'identity'
  scope: rg
  params: {
    name: identityName
    location: location
    tags: tags
  }
}

module monitoring 'core/monitor/monitoring.bicep' = {
  name: 'monitoring'
  scope: rg
  params: {
    logAnalyticsName: '${abbrs.operationalInsightsWorkspaces}${resourceToken}'
    applicationInsightsName: applicationInsightsName
    location: location
    tags: tags
    retentionInDays: logRetentionInDays
  }
}

module dataStorage 'core/storage/storage-account.bicep' = {
  name: 'data-storage'
  scope: rg
  params: {
    name: dataStorageAccountName
    location: location
    tags: tags
    skuName: dataStorageSkuName
    containers: useSingleStorageAccount ? concat(dataContainers, [deploymentContainerName]) : dataContainers
    queues: [poisonQueueName, backfillQueueName, backfillPoisonQueueName]
    tables: [mappingTableName]
    versioningEnabled: true
    softDeleteRetentionDays: softDeleteRetentionDays
    lifecycleRules: ingressLifecycleRules
    restrictPublicNetwork: vnetEnabled
    allowedIpAddresses: allowedIpAddresses
    logAnalyticsWorkspaceId: monitoring.outputs.logAnalyticsWorkspaceId
  }
}

module runtimeStorage 'core/storage/storage-account.bicep' = if (!useSingleStorageAccount) {
  name: 'runtime-storage'
  scope: rg
  params: {
    name: runtimeStorageAccountName
    location: location
    tags: tags
    containers: [deploymentContainerName]
    restrictPublicNetwork: vnetEnabled
    allowedIpAddresses: allowedIpAddresses
    logAnalyticsWorkspaceId: monitoring.outputs.logAnalyticsWorkspaceId
  }
}

module keyVault 'core/security/key-vault.bicep' = {
  name: 'key-vault'
  scope: rg
  params: {
    name: keyVaultName
    location: location
    tags: tags
    restrictPublicNetwork: vnetEnabled
    allowedIpAddresses: allowedIpAddresses
    mappingKeySecretName: mappingKeySecretName
    mappingKey: mappingKey
    logAnalyticsWorkspaceId: monitoring.outputs.logAnalyticsWorkspaceId
  }
}

module network 'app/network.bicep' = if (vnetEnabled) {
  name: 'network'
  scope: rg
  params: {
    location: location
    tags: tags
    resourceToken: resourceToken
    abbrs: abbrs
    dataStorageAccountId: dataStorage.outputs.id
    runtimeStorageAccountId: useSingleStorageAccount ? dataStorage.outputs.id : runtimeStorage!.outputs.id
    keyVaultId: keyVault.outputs.id
  }
}

module function 'app/function.bicep' = {
  name: 'function'
  scope: rg
  params: {
    planName: '${abbrs.webServerFarms}${resourceToken}'
    appName: functionAppName
    location: location
    tags: tags
    identityId: identity.outputs.id
    identityClientId: identity.outputs.clientId
    runtimeBlobEndpoint: useSingleStorageAccount ? dataStorage.outputs.blobEndpoint : runtimeStorage!.outputs.blobEndpoint
    runtimeQueueEndpoint: useSingleStorageAccount ? dataStorage.outputs.queueEndpoint : runtimeStorage!.outputs.queueEndpoint
    deploymentContainerName: deploymentContainerName
    dataBlobEndpoint: dataStorage.outputs.blobEndpoint
    dataQueueEndpoint: dataStorage.outputs.queueEndpoint
    dataTableEndpoint: dataStorage.outputs.tableEndpoint
    applicationInsightsConnectionString: monitoring.outputs.applicationInsightsConnectionString
    virtualNetworkSubnetId: vnetEnabled ? network!.outputs.appSubnetId : ''
    maximumInstanceCount: maximumInstanceCount
    instanceMemoryMB: instanceMemoryMB
    cloudAnonSettings: {
      IngressContainer: ingressContainerName
      EgressContainer: egressContainerName
      QuarantineContainer: quarantineContainerName
      MappingTable: mappingTableName
      BackfillQueue: backfillQueueName
      KeyVaultUri: keyVault.outputs.uri
      CertificateName: certificateName
      MappingKeySecretName: mappingKeySecretName
      ProfileOptions: profileOptions
      RootUid: rootUid
      ContentCipher: contentCipher
      Irreversible: irreversible ? 'true' : 'false'
      AfterSuccess: afterSuccess
      QuarantineBurnedInAnnotation: quarantineBurnedInAnnotation ? 'true' : 'false'
      QuarantineAlreadyDeidentified: quarantineAlreadyDeidentified ? 'true' : 'false'
    }
  }
}

module rbac 'app/rbac.bicep' = {
  name: 'rbac'
  scope: rg
  dependsOn: [identity, dataStorage, runtimeStorage, keyVault, monitoring]
  params: {
    dataStorageAccountName: dataStorageAccountName
    runtimeStorageAccountName: runtimeStorageAccountName
    ingressContainerName: ingressContainerName
    egressContainerName: egressContainerName
    quarantineContainerName: quarantineContainerName
    mappingTableName: mappingTableName
    poisonQueueName: poisonQueueName
    backfillQueueName: backfillQueueName
    backfillPoisonQueueName: backfillPoisonQueueName
    keyVaultName: keyVaultName
    mappingKeySecretName: mappingKeySecretName
    applicationInsightsName: applicationInsightsName
    functionIdentityName: identityName
    operatorPrincipalId: principalId
    operatorPrincipalType: principalType
  }
}

module ingressEvents 'app/ingress-events.bicep' = {
  name: 'ingress-events'
  scope: rg
  dependsOn: [dataStorage]
  params: {
    topicName: eventGridTopicName
    location: location
    tags: tags
    storageAccountName: dataStorageAccountName
    deadLetterContainerName: deadLetterContainerName
  }
}

module ingressSubscription 'app/ingress-subscription.bicep' = if (ingressEventSubscriptionEnabled) {
  name: 'ingress-subscription'
  scope: rg
  dependsOn: [ingressEvents, function, rbac]
  params: {
    topicName: eventGridTopicName
    storageAccountName: dataStorageAccountName
    ingressContainerName: ingressContainerName
    deadLetterContainerName: deadLetterContainerName
    functionAppName: functionAppName
  }
}

output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = rg.name
output AZURE_FUNCTION_APP_NAME string = function.outputs.name
output SERVICE_CLOUDANON_URI string = function.outputs.uri
output AZURE_STORAGE_ACCOUNT_NAME string = dataStorage.outputs.name
output AZURE_KEY_VAULT_NAME string = keyVault.outputs.name
output AZURE_KEY_VAULT_URI string = keyVault.outputs.uri
output CLOUDANON_CERTIFICATE_NAME string = certificateName
output CLOUDANON_INGRESS_CONTAINER string = ingressContainerName
output CLOUDANON_EGRESS_CONTAINER string = egressContainerName
output EVENT_GRID_SYSTEM_TOPIC_NAME string = ingressEvents.outputs.name

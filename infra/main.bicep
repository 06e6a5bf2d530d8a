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

@description('Operator principal (ideally an Entra group), not the deploying identity: uploads to ingress, reads egress and quarantine, runs backfill. Empty for none.')
param operatorPrincipalId string = ''
@description('Type of operatorPrincipalId: Group, User or ServicePrincipal (a role assignment with the wrong type fails).')
@allowed(['User', 'Group', 'ServicePrincipal'])
param operatorPrincipalType string = 'Group'
@description('Resource id of a custom role (see infra/roles/certificate-operator.json, created once by a subscription administrator) that imports and rotates certificates without backup, restore, delete or purge; the operator gets it on the vault. Empty for none.')
param certificateOperatorRoleDefinitionId string = ''

@description('Keep the function runtime and its deployment package in the data account instead of a separate one. The runtime\'s account-wide Storage Blob Data Owner role then covers the data containers too.')
param useSingleStorageAccount bool = false

@allowed(['Standard_LRS', 'Standard_ZRS', 'Standard_GRS', 'Standard_GZRS'])
param dataStorageSkuName string = 'Standard_ZRS'

param ingressContainerName string = 'ingress'
param egressContainerName string = 'egress'
param quarantineContainerName string = 'quarantine'
param mappingTableName string = 'mappings'
@description('Table where `cloudanon backfill --table <this>` saves its position, apart from the mapping table.')
param backfillStateTableName string = 'backfillstate'

@description('Storage Queue that `cloudanon backfill` fills and the DeidentifyBackfillBlob queue trigger drains.')
param backfillQueueName string = 'backfill'

@description('Table of the audit records (one row per file and outcome, by de-identified study; no PHI).')
param auditTableName string = 'audit'
@description('Container of the audit records too large for a table row.')
param auditContainerName string = 'audit'
@description('Storage Queue of the study-complete messages (one per study once it is quiet; no PHI).')
param studyCompleteQueueName string = 'study-complete'
@description('Seconds without a new file after which a study is quiet and its study-complete message is sent.')
@minValue(1)
param studyQuietSeconds int = 600
@description('Seconds a writer waits before stamping a study in the audit index again (0: with every record); the quiet time counts from the end of it.')
@minValue(0)
param studyStampSeconds int = 30
@description('When the quiet-study scan runs: a six-field NCRONTAB schedule (second minute hour day month day-of-week).')
param studyScanSchedule string = '0 */1 * * * *'

@description('Days deleted blobs stay recoverable (protects egress; deleted PHI blobs are kept as long before they are gone).')
@minValue(1)
@maxValue(365)
param softDeleteRetentionDays int = 7

@description('Delete ingress blobs (PHI) this many days after their last change: processed ones AfterSuccess=keep left, and any never processed.')
@minValue(1)
param ingressRetentionDays int = 7
@description('Delete quarantined originals (PHI) this many days after they were quarantined: the time to review them.')
@minValue(1)
param quarantineRetentionDays int = 30
@description('Delete dead-lettered Event Grid events (they name ingress blobs) this many days after they were written.')
@minValue(1)
param deadLetterRetentionDays int = 7
@description('Delete previous versions of blobs in the PHI containers this many days after they became previous versions.')
@minValue(1)
param phiVersionRetentionDays int = 1
@description('Keep previous versions of egress blobs (de-identified) this many days, to recover an overwritten or deleted output.')
@minValue(1)
param egressVersionRetentionDays int = 30

@description('Name of the de-identification certificate in Key Vault (the function reads only its public part).')
param certificateName string = 'cloudanon-deid'

@description('Name of the Key Vault secret holding the HMAC key for consistent replacements.')
param mappingKeySecretName string = 'cloudanon-mapping-key'

@description('Whether the mapping key secret exists (the preprovision hook looks): roles on the secret can only be assigned once it does. The postprovision hook creates it once and provisions again.')
param mappingKeySecretExists bool = false

@description('De-identification profile options (see the CLI\'s --profile-options).')
param profileOptions string = ''
@description('UID root for generated UIDs; empty for a 2.25 (UUID-derived) root.')
param rootUid string = ''
@description('Cipher of the encrypted originals (0400,0500): AES only.')
@allowed(['aes128', 'aes192', 'aes256'])
param contentCipher string = 'aes256'
param irreversible bool = false
@description('What happens to an ingress blob once its output is written: delete (the default: PHI is not kept) or keep (until ingressRetentionDays).')
@allowed(['delete', 'keep'])
param afterSuccess string = 'delete'
param quarantineBurnedInAnnotation bool = true
@description('Quarantine inputs that already carry de-identification marks instead of de-identifying them again.')
param quarantineAlreadyDeidentified bool = false

@minValue(1)
@maxValue(1000)
param maximumInstanceCount int = 100
@allowed([512, 2048, 4096])
param instanceMemoryMB int = 2048

@description('Put storage and Key Vault behind private endpoints and integrate the function app with a VNet (the default). Off, storage and Key Vault accept every network: for trials with synthetic data only.')
param vnetEnabled bool = true
@description('Comma-separated public IP addresses or CIDR ranges (operators, PACS gateways, CI runners) allowed through the storage and Key Vault firewalls and to the SCM (deployment) site. Storage takes single addresses without /32.')
param allowedIpAddresses string = ''

@description('Create the Event Grid subscription to the function\'s webhook; the azd postdeploy hook turns it on once the code runs.')
param ingressEventSubscriptionEnabled bool = false

@minValue(30)
@maxValue(730)
param logRetentionInDays int = 30

@description('Fraction of traces (requests, dependencies) the host and worker export, 0 to 1 (OTEL_TRACES_SAMPLER_ARG); 1.0 keeps every invocation traceable. The exporter\'s own default would be 5 traces per second.')
param traceSamplingRatio string = '1.0'
@description('E-mail address for alerts (dead-lettered events, quarantine growth, failed certificate loads); empty for alerts without notification.')
param alertEmailAddress string = ''
@description('Quarantined files in one hour that raise the quarantine-growth alert.')
@minValue(1)
param quarantineAlertThreshold int = 10

@description('Deploy the DICOM gateway (cloudanon gateway) as a Container App with TCP ingress; needs vnetEnabled.')
param gatewayEnabled bool = false
@description('The gateway\'s container image (built from infra/gateway/Dockerfile).')
param gatewayImage string = ''
@description('Calling AE titles allowed to send to the gateway.')
param gatewayCallingAeTitles array = []
@description('false (default): the gateway is reachable only from the virtual network and networks connected to it.')
param gatewayPublicAccess bool = false
@description('A Key Vault certificate for the gateway\'s DICOM TLS (not the de-identification certificate); empty: plain TCP.')
param gatewayTlsCertificateName string = ''

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

var dataContainers = [ingressContainerName, egressContainerName, quarantineContainerName, deadLetterContainerName, auditContainerName]
var allowedIpList = filter(map(split(allowedIpAddresses, ','), ip => trim(ip)), ip => !empty(ip))
// App Service access restrictions take CIDR ranges only; storage firewalls refuse /32 but take the bare address.
var scmAllowedIpRanges = map(allowedIpList, ip => contains(ip, '/') ? ip : '${ip}/32')
var publicNetworkOpen = !vnetEnabled

// Every container that holds PHI expires its blobs and, since versioning is account-wide, its previous versions.
var phiContainerRetention = [
  { container: ingressContainerName, days: ingressRetentionDays }
  { container: quarantineContainerName, days: quarantineRetentionDays }
  { container: deadLetterContainerName, days: deadLetterRetentionDays }
]
var phiExpiryRules = map(phiContainerRetention, retention => {
  name: '${retention.container}-expiry'
  enabled: true
  type: 'Lifecycle'
  definition: {
    filters: { blobTypes: ['blockBlob'], prefixMatch: ['${retention.container}/'] }
    actions: {
      baseBlob: { delete: { daysAfterModificationGreaterThan: retention.days } }
      version: { delete: { daysAfterCreationGreaterThan: phiVersionRetentionDays } }
    }
  }
})
// Egress holds no PHI: its previous versions protect outputs against overwrite and deletion for a while.
var egressVersionRule = {
  name: '${egressContainerName}-previous-versions'
  enabled: true
  type: 'Lifecycle'
  definition: {
    filters: { blobTypes: ['blockBlob'], prefixMatch: ['${egressContainerName}/'] }
    actions: { version: { delete: { daysAfterCreationGreaterThan: egressVersionRetentionDays } } }
  }
}
// The audit records hold no PHI either and are kept as long as the outputs they describe (as the table's rows are);
// their previous versions go as egress's do.
var auditVersionRule = {
  name: '${auditContainerName}-previous-versions'
  enabled: true
  type: 'Lifecycle'
  definition: {
    filters: { blobTypes: ['blockBlob'], prefixMatch: ['${auditContainerName}/'] }
    actions: { version: { delete: { daysAfterCreationGreaterThan: egressVersionRetentionDays } } }
  }
}

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
    queues: [poisonQueueName, backfillQueueName, backfillPoisonQueueName, studyCompleteQueueName]
    tables: [mappingTableName, backfillStateTableName, auditTableName]
    versioningEnabled: true
    softDeleteRetentionDays: softDeleteRetentionDays
    lifecycleRules: concat(phiExpiryRules, [egressVersionRule, auditVersionRule])
    publicNetworkOpen: publicNetworkOpen
    allowedIpAddresses: allowedIpList
    // Event Grid writes undeliverable events to the dead-letter container as a trusted service with its identity.
    allowTrustedServices: true
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
    softDeleteRetentionDays: softDeleteRetentionDays
    publicNetworkOpen: publicNetworkOpen
    allowedIpAddresses: allowedIpList
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
    publicNetworkOpen: publicNetworkOpen
    allowedIpAddresses: allowedIpList
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
    gatewaySubnetPrefix: gatewayEnabled ? '10.20.4.0/23' : ''
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
    scmAllowedIpRanges: scmAllowedIpRanges
    traceSamplingRatio: traceSamplingRatio
    maximumInstanceCount: maximumInstanceCount
    instanceMemoryMB: instanceMemoryMB
    cloudAnonSettings: {
      IngressContainer: ingressContainerName
      EgressContainer: egressContainerName
      QuarantineContainer: quarantineContainerName
      MappingTable: mappingTableName
      BackfillQueue: backfillQueueName
      AuditTable: auditTableName
      AuditContainer: auditContainerName
      StudyCompleteQueue: studyCompleteQueueName
      StudyQuietSeconds: string(studyQuietSeconds)
      StudyStampSeconds: string(studyStampSeconds)
      StudyScanSchedule: studyScanSchedule
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
    backfillStateTableName: backfillStateTableName
    poisonQueueName: poisonQueueName
    backfillQueueName: backfillQueueName
    backfillPoisonQueueName: backfillPoisonQueueName
    auditTableName: auditTableName
    auditContainerName: auditContainerName
    studyCompleteQueueName: studyCompleteQueueName
    keyVaultName: keyVaultName
    mappingKeySecretName: mappingKeySecretName
    mappingKeySecretExists: mappingKeySecretExists
    applicationInsightsName: applicationInsightsName
    functionIdentityName: identityName
    operatorPrincipalId: operatorPrincipalId
    operatorPrincipalType: operatorPrincipalType
    certificateOperatorRoleDefinitionId: certificateOperatorRoleDefinitionId
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

module alerts 'app/alerts.bicep' = {
  name: 'alerts'
  scope: rg
  dependsOn: [ingressEvents, keyVault, monitoring]
  params: {
    location: location
    tags: tags
    resourceToken: resourceToken
    abbrs: abbrs
    eventGridTopicName: eventGridTopicName
    keyVaultName: keyVaultName
    applicationInsightsName: applicationInsightsName
    alertEmailAddress: alertEmailAddress
    quarantineAlertThreshold: quarantineAlertThreshold
  }
}

module gateway 'app/gateway.bicep' = if (gatewayEnabled) {
  name: 'gateway'
  scope: rg
  params: {
    location: location
    tags: tags
    environmentName: '${abbrs.appManagedEnvironments}${resourceToken}'
    appName: '${abbrs.appContainerApps}gateway-${resourceToken}'
    identityName: '${abbrs.managedIdentityUserAssignedIdentities}gateway-${resourceToken}'
    image: gatewayImage
    infrastructureSubnetId: vnetEnabled ? network!.outputs.gatewaySubnetId : ''
    publicAccess: gatewayPublicAccess
    logAnalyticsWorkspaceId: monitoring.outputs.logAnalyticsWorkspaceId
    applicationInsightsName: applicationInsightsName
    applicationInsightsConnectionString: monitoring.outputs.applicationInsightsConnectionString
    dataStorageAccountName: dataStorageAccountName
    ingressContainerName: ingressContainerName
    blobEndpoint: dataStorage.outputs.blobEndpoint
    keyVaultName: keyVaultName
    keyVaultUri: keyVault.outputs.uri
    mappingKeySecretName: mappingKeySecretName
    mappingKeySecretExists: mappingKeySecretExists
    callingAeTitles: gatewayCallingAeTitles
    tlsCertificateName: gatewayTlsCertificateName
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
output AZURE_KEY_VAULT_ID string = keyVault.outputs.id
output CLOUDANON_MAPPING_KEY_SECRET_NAME string = mappingKeySecretName
output CLOUDANON_BACKFILL_STATE_TABLE string = backfillStateTableName
output CLOUDANON_CERTIFICATE_NAME string = certificateName
output CLOUDANON_INGRESS_CONTAINER string = ingressContainerName
output CLOUDANON_EGRESS_CONTAINER string = egressContainerName
output EVENT_GRID_SYSTEM_TOPIC_NAME string = ingressEvents.outputs.name

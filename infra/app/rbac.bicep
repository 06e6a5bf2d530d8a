// Least-privilege role assignments for the function's identity and, optionally, an operator principal (a group, not
// the deploying identity), scoped as narrowly as Azure allows: single containers, tables, queues and the one
// mapping-key secret. Built-in roles only, so a deployment never needs roleDefinitions/write.
param dataStorageAccountName string
param runtimeStorageAccountName string
param ingressContainerName string
param egressContainerName string
param quarantineContainerName string
param mappingTableName string
param backfillStateTableName string
param poisonQueueName string
param backfillQueueName string
param backfillPoisonQueueName string
param auditTableName string
param auditContainerName string
param studyCompleteQueueName string
param keyVaultName string
param mappingKeySecretName string
@description('Roles on the mapping key secret are assigned only once it exists (the postprovision hook creates it).')
param mappingKeySecretExists bool
param applicationInsightsName string

@description('The function app\'s user-assigned identity.')
param functionIdentityName string

@description('Optional operator (ideally a group) who uploads to ingress, reads egress and quarantine, and runs backfill.')
param operatorPrincipalId string = ''
@allowed(['User', 'Group', 'ServicePrincipal'])
param operatorPrincipalType string
@description('Resource id of a pre-created custom role for certificate import and rotation; empty for none.')
param certificateOperatorRoleDefinitionId string = ''

var roles = {
  storageBlobDataContributor: 'ba92f5b4-2d11-453d-a403-e96b0029c9fe'
  storageBlobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
  storageBlobDataReader: '2a2b9908-6ea1-4ae2-8e65-a410df84e7d1'
  storageQueueDataContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88'
  storageQueueDataReader: '19e7f393-937e-4f77-808e-94535e297925'
  storageQueueDataMessageProcessor: '8a0f0c08-91a1-4084-bc3d-661d67233fed'
  storageQueueDataMessageSender: 'c6a89b2d-59bc-44d0-9896-0f6e12d7b80a'
  storageTableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
  storageTableDataReader: '76199698-9eea-4c19-bc75-cec21354c6b6'
  keyVaultSecretsUser: '4633458b-17de-408a-b874-0445c86b69e6'
  keyVaultReader: '21090545-7ca7-4776-b22c-e363652d74d2'
  monitoringMetricsPublisher: '3913510d-42f4-4e42-8a64-420c390055eb'
}

resource dataStorage 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: dataStorageAccountName

  resource blobService 'blobServices' existing = {
    name: 'default'

    resource ingress 'containers' existing = {
      name: ingressContainerName
    }
    resource egress 'containers' existing = {
      name: egressContainerName
    }
    resource quarantine 'containers' existing = {
      name: quarantineContainerName
    }
    resource audit 'containers' existing = {
      name: auditContainerName
    }
  }

  resource tableService 'tableServices' existing = {
    name: 'default'

    resource mappingTable 'tables' existing = {
      name: mappingTableName
    }
    resource backfillStateTable 'tables' existing = {
      name: backfillStateTableName
    }
    resource auditTable 'tables' existing = {
      name: auditTableName
    }
  }

  resource queueService 'queueServices' existing = {
    name: 'default'

    resource poisonQueue 'queues' existing = {
      name: poisonQueueName
    }
    resource backfillQueue 'queues' existing = {
      name: backfillQueueName
    }
    resource backfillPoisonQueue 'queues' existing = {
      name: backfillPoisonQueueName
    }
    resource studyCompleteQueue 'queues' existing = {
      name: studyCompleteQueueName
    }
  }
}

resource runtimeStorage 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: runtimeStorageAccountName
}

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' existing = {
  name: keyVaultName

  resource mappingKeySecret 'secrets' existing = {
    name: mappingKeySecretName
  }
}

resource functionIdentity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' existing = {
  name: functionIdentityName
}

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

// Ingress: read the uploaded blob and delete it after success (AfterSuccess=delete).
resource ingressAccess 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(dataStorage::blobService::ingress.id, functionIdentity.id, roles.storageBlobDataContributor)
  scope: dataStorage::blobService::ingress
  properties: {
    principalId: functionIdentity.properties.principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageBlobDataContributor)
  }
}

resource egressAccess 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(dataStorage::blobService::egress.id, functionIdentity.id, roles.storageBlobDataContributor)
  scope: dataStorage::blobService::egress
  properties: {
    principalId: functionIdentity.properties.principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageBlobDataContributor)
  }
}

resource quarantineAccess 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(dataStorage::blobService::quarantine.id, functionIdentity.id, roles.storageBlobDataContributor)
  scope: dataStorage::blobService::quarantine
  properties: {
    principalId: functionIdentity.properties.principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageBlobDataContributor)
  }
}

resource mappingTableAccess 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(dataStorage::tableService::mappingTable.id, functionIdentity.id, roles.storageTableDataContributor)
  scope: dataStorage::tableService::mappingTable
  properties: {
    principalId: functionIdentity.properties.principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageTableDataContributor)
  }
}

// The audit records: rows in the audit table, large ones in its container; the quiet-study scan sends to study-complete.
resource auditTableAccess 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(dataStorage::tableService::auditTable.id, functionIdentity.id, roles.storageTableDataContributor)
  scope: dataStorage::tableService::auditTable
  properties: {
    principalId: functionIdentity.properties.principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageTableDataContributor)
  }
}

resource auditContainerAccess 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(dataStorage::blobService::audit.id, functionIdentity.id, roles.storageBlobDataContributor)
  scope: dataStorage::blobService::audit
  properties: {
    principalId: functionIdentity.properties.principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageBlobDataContributor)
  }
}

resource studyCompleteQueueSender 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(dataStorage::queueService::studyCompleteQueue.id, functionIdentity.id, roles.storageQueueDataMessageSender)
  scope: dataStorage::queueService::studyCompleteQueue
  properties: {
    principalId: functionIdentity.properties.principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageQueueDataMessageSender)
  }
}

// The blob trigger writes blobs that failed every retry to a poison queue on the trigger connection's account.
resource poisonQueueAccess 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(dataStorage::queueService::poisonQueue.id, functionIdentity.id, roles.storageQueueDataContributor)
  scope: dataStorage::queueService::poisonQueue
  properties: {
    principalId: functionIdentity.properties.principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageQueueDataContributor)
  }
}

// The backfill queue trigger peeks, receives and deletes messages (Reader + Message Processor, the trigger's documented
// pair), on that one queue; it cannot send to it. Failed messages go to the poison queue, which the extension writes.
resource backfillQueueReader 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(dataStorage::queueService::backfillQueue.id, functionIdentity.id, roles.storageQueueDataReader)
  scope: dataStorage::queueService::backfillQueue
  properties: {
    principalId: functionIdentity.properties.principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageQueueDataReader)
  }
}

resource backfillQueueProcessor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(dataStorage::queueService::backfillQueue.id, functionIdentity.id, roles.storageQueueDataMessageProcessor)
  scope: dataStorage::queueService::backfillQueue
  properties: {
    principalId: functionIdentity.properties.principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageQueueDataMessageProcessor)
  }
}

resource backfillPoisonQueueAccess 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(dataStorage::queueService::backfillPoisonQueue.id, functionIdentity.id, roles.storageQueueDataContributor)
  scope: dataStorage::queueService::backfillPoisonQueue
  properties: {
    principalId: functionIdentity.properties.principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageQueueDataContributor)
  }
}

// AzureWebJobsStorage: the host's coordination blobs, key store and deployment package, plus the trigger's internal queues.
resource runtimeBlobAccess 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(runtimeStorage.id, functionIdentity.id, roles.storageBlobDataOwner)
  scope: runtimeStorage
  properties: {
    principalId: functionIdentity.properties.principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageBlobDataOwner)
  }
}

resource runtimeQueueAccess 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(runtimeStorage.id, functionIdentity.id, roles.storageQueueDataContributor)
  scope: runtimeStorage
  properties: {
    principalId: functionIdentity.properties.principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageQueueDataContributor)
  }
}

// Key Vault Reader reads certificates' public parts (GET /certificates/{name}) and metadata, never a secret value: the
// certificate's backing secret (its private key) and the mapping key stay out of reach.
resource certificateAccess 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(vault.id, functionIdentity.id, roles.keyVaultReader)
  scope: vault
  properties: {
    principalId: functionIdentity.properties.principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.keyVaultReader)
  }
}

// Secrets User on this one secret only.
resource mappingKeyAccess 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (mappingKeySecretExists) {
  name: guid(vault::mappingKeySecret.id, functionIdentity.id, roles.keyVaultSecretsUser)
  scope: vault::mappingKeySecret
  properties: {
    principalId: functionIdentity.properties.principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.keyVaultSecretsUser)
  }
}

// Application Insights accepts only Entra ID-authenticated telemetry (local auth is off).
resource telemetryAccess 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(applicationInsights.id, functionIdentity.id, roles.monitoringMetricsPublisher)
  scope: applicationInsights
  properties: {
    principalId: functionIdentity.properties.principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.monitoringMetricsPublisher)
  }
}

resource operatorIngressAccess 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(operatorPrincipalId)) {
  name: guid(dataStorage::blobService::ingress.id, operatorPrincipalId, roles.storageBlobDataContributor)
  scope: dataStorage::blobService::ingress
  properties: {
    principalId: operatorPrincipalId
    principalType: operatorPrincipalType
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageBlobDataContributor)
  }
}

resource operatorEgressAccess 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(operatorPrincipalId)) {
  name: guid(dataStorage::blobService::egress.id, operatorPrincipalId, roles.storageBlobDataReader)
  scope: dataStorage::blobService::egress
  properties: {
    principalId: operatorPrincipalId
    principalType: operatorPrincipalType
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageBlobDataReader)
  }
}

resource operatorQuarantineAccess 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(operatorPrincipalId)) {
  name: guid(dataStorage::blobService::quarantine.id, operatorPrincipalId, roles.storageBlobDataReader)
  scope: dataStorage::blobService::quarantine
  properties: {
    principalId: operatorPrincipalId
    principalType: operatorPrincipalType
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageBlobDataReader)
  }
}

// The privacy office's review (cloudanon report): read the audit records, write nothing.
resource operatorAuditTableAccess 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(operatorPrincipalId)) {
  name: guid(dataStorage::tableService::auditTable.id, operatorPrincipalId, roles.storageTableDataReader)
  scope: dataStorage::tableService::auditTable
  properties: {
    principalId: operatorPrincipalId
    principalType: operatorPrincipalType
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageTableDataReader)
  }
}

resource operatorAuditContainerAccess 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(operatorPrincipalId)) {
  name: guid(dataStorage::blobService::audit.id, operatorPrincipalId, roles.storageBlobDataReader)
  scope: dataStorage::blobService::audit
  properties: {
    principalId: operatorPrincipalId
    principalType: operatorPrincipalType
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageBlobDataReader)
  }
}

// Import and rotate the certificate with a role that has neither backup nor restore (no built-in role is that narrow,
// and defining one here would need roleDefinitions/write): created once, outside azd, from infra/roles/.
resource operatorCertificateAccess 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(operatorPrincipalId) && !empty(certificateOperatorRoleDefinitionId)) {
  name: guid(vault.id, operatorPrincipalId, certificateOperatorRoleDefinitionId)
  scope: vault
  properties: {
    principalId: operatorPrincipalId
    principalType: operatorPrincipalType
    roleDefinitionId: certificateOperatorRoleDefinitionId
  }
}

// `cloudanon backfill` from the operator's machine: send messages to the backfill queue (nothing else on it) ...
resource operatorBackfillQueueAccess 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(operatorPrincipalId)) {
  name: guid(dataStorage::queueService::backfillQueue.id, operatorPrincipalId, roles.storageQueueDataMessageSender)
  scope: dataStorage::queueService::backfillQueue
  properties: {
    principalId: operatorPrincipalId
    principalType: operatorPrincipalType
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageQueueDataMessageSender)
  }
}

// ... keep its saved position in its own table (`--table <backfillStateTableName>`), not in the mapping table ...
resource operatorBackfillStateAccess 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(operatorPrincipalId)) {
  name: guid(dataStorage::tableService::backfillStateTable.id, operatorPrincipalId, roles.storageTableDataContributor)
  scope: dataStorage::tableService::backfillStateTable
  properties: {
    principalId: operatorPrincipalId
    principalType: operatorPrincipalType
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageTableDataContributor)
  }
}

// ... and read the mapping key, which encrypts that saved position.
resource operatorMappingKeyAccess 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(operatorPrincipalId) && mappingKeySecretExists) {
  name: guid(vault::mappingKeySecret.id, operatorPrincipalId, roles.keyVaultSecretsUser)
  scope: vault::mappingKeySecret
  properties: {
    principalId: operatorPrincipalId
    principalType: operatorPrincipalType
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.keyVaultSecretsUser)
  }
}

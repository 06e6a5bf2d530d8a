// Optional: the DICOM gateway (`cloudanon gateway`, the image of infra/gateway/Dockerfile) as an Azure Container App
// with TCP ingress, in its own subnet of the deployment's virtual network, so it reaches storage and Key Vault through
// their private endpoints. Its own identity may only write blobs to ingress and read the mapping key (for the keyed blob
// names) and, with DICOM TLS, the TLS certificate — never the de-identification certificate's key.
param location string
param tags object = {}
param environmentName string
param appName string
param identityName string

@description('The container image of the gateway (a registry the environment can pull from anonymously, or add registry settings).')
param image string
param infrastructureSubnetId string
@description('false (default): the environment is internal, reachable only from the virtual network and networks peered or connected to it.')
param publicAccess bool = false
param logAnalyticsWorkspaceId string
@description('The Application Insights component the gateway sends its metrics to (Entra ID-authenticated, like the function).')
param applicationInsightsName string
param applicationInsightsConnectionString string

param dataStorageAccountName string
param ingressContainerName string
param blobEndpoint string
param keyVaultName string
param keyVaultUri string
param mappingKeySecretName string
param mappingKeySecretExists bool

@description('The called AE title senders address.')
param aeTitle string = 'CLOUDANON'
param port int = 11112
@description('Calling AE titles allowed to send (behind the environment\'s proxy every sender comes from the proxy\'s address, so no AE@address).')
@minLength(1)
param callingAeTitles array
param maxAssociations int = 16
@description('A Key Vault certificate (in this vault) for DICOM TLS; empty: plain DICOM over TCP.')
param tlsCertificateName string = ''

var roles = {
  storageBlobDataContributor: 'ba92f5b4-2d11-453d-a403-e96b0029c9fe'
  keyVaultSecretsUser: '4633458b-17de-408a-b874-0445c86b69e6'
  keyVaultReader: '21090545-7ca7-4776-b22c-e363652d74d2'
  monitoringMetricsPublisher: '3913510d-42f4-4e42-8a64-420c390055eb'
}
var tlsEnabled = !empty(tlsCertificateName)
var gatewayArguments = concat(
  [
    '--account', blobEndpoint
    '--ingress', ingressContainerName
    '--mapping-key-secret', mappingKeySecretName
    '--key-vault', keyVaultUri
    '--ae-title', aeTitle
    '--port', string(port)
    '--max-associations', string(maxAssociations)
  ],
  flatten(map(callingAeTitles, ae => ['--calling-ae', ae])),
  tlsEnabled ? ['--tls-certificate', '${keyVaultUri}certificates/${tlsCertificateName}'] : []
)

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: identityName
  location: location
  tags: tags
}

resource dataStorage 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: dataStorageAccountName

  resource blobService 'blobServices' existing = {
    name: 'default'

    resource ingress 'containers' existing = {
      name: ingressContainerName
    }
  }
}

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' existing = {
  name: keyVaultName

  resource mappingKeySecret 'secrets' existing = {
    name: mappingKeySecretName
  }

  // Key Vault keeps a certificate's private key in the secret of the same name.
  resource tlsSecret 'secrets' existing = {
    name: tlsEnabled ? tlsCertificateName : 'none'
  }
}

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

// Application Insights accepts only Entra ID-authenticated telemetry (local auth is off): the gateway's counters.
resource metricsPublisher 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(applicationInsights.id, identity.id, roles.monitoringMetricsPublisher)
  scope: applicationInsights
  properties: {
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.monitoringMetricsPublisher)
  }
}

resource ingressWriter 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(dataStorage::blobService::ingress.id, identity.id, roles.storageBlobDataContributor)
  scope: dataStorage::blobService::ingress
  properties: {
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageBlobDataContributor)
  }
}

resource mappingKeyReader 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (mappingKeySecretExists) {
  name: guid(vault::mappingKeySecret.id, identity.id, roles.keyVaultSecretsUser)
  scope: vault::mappingKeySecret
  properties: {
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.keyVaultSecretsUser)
  }
}

// The certificate's metadata (Key Vault Reader reads no secret value), then its secret: the TLS certificate only.
resource certificateReader 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (tlsEnabled) {
  name: guid(vault.id, identity.id, roles.keyVaultReader)
  scope: vault
  properties: {
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.keyVaultReader)
  }
}

resource tlsKeyReader 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (tlsEnabled) {
  name: guid(vault::tlsSecret.id, identity.id, roles.keyVaultSecretsUser)
  scope: vault::tlsSecret
  properties: {
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.keyVaultSecretsUser)
  }
}

resource environment 'Microsoft.App/managedEnvironments@2024-03-01' = {
  name: environmentName
  location: location
  tags: tags
  properties: {
    // TCP ingress needs an environment in a virtual network.
    vnetConfiguration: {
      infrastructureSubnetId: infrastructureSubnetId
      internal: !publicAccess
    }
    workloadProfiles: [{ name: 'Consumption', workloadProfileType: 'Consumption' }]
    // Console logs go through the diagnostic setting below (no workspace key in the deployment).
    appLogsConfiguration: { destination: 'azure-monitor' }
  }
}

resource environmentDiagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'to-log-analytics'
  scope: environment
  properties: {
    workspaceId: logAnalyticsWorkspaceId
    // The gateway's own lines (hashed names, sizes, outcomes, addresses; never a data set value) and the platform's.
    logs: [{ category: 'ContainerAppConsoleLogs', enabled: true }, { category: 'ContainerAppSystemLogs', enabled: true }]
  }
}

resource app 'Microsoft.App/containerApps@2024-03-01' = {
  name: appName
  location: location
  tags: union(tags, { 'azd-service-name': 'gateway' })
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: { '${identity.id}': {} }
  }
  dependsOn: [ingressWriter, mappingKeyReader, certificateReader, tlsKeyReader, metricsPublisher]
  properties: {
    managedEnvironmentId: environment.id
    workloadProfileName: 'Consumption'
    configuration: {
      ingress: {
        // Outside the environment; an internal environment keeps that inside the virtual network.
        external: true
        transport: 'tcp'
        targetPort: port
        exposedPort: port
      }
    }
    template: {
      containers: [
        {
          name: 'gateway'
          image: image
          args: gatewayArguments
          env: [
            { name: 'AZURE_CLIENT_ID', value: identity.properties.clientId }
            // The gateway's OpenTelemetry counters (docs/gateway.md); no value from a data set is in them.
            { name: 'APPLICATIONINSIGHTS_CONNECTION_STRING', value: applicationInsightsConnectionString }
          ]
          resources: { cpu: json('0.5'), memory: '1Gi' }
        }
      ]
      // One replica: --max-associations bounds the work of one process, and a sender retries on A700 or a reject.
      scale: { minReplicas: 1, maxReplicas: 1 }
    }
  }
}

output name string = app.name
output identityPrincipalId string = identity.properties.principalId
output fqdn string = app.properties.configuration.ingress.fqdn

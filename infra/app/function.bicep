// The CloudAnon function app: .NET 10 isolated worker on Flex Consumption, every connection identity-based.
param planName string
param appName string
param location string
param tags object = {}

param identityId string
param identityClientId string

param runtimeBlobEndpoint string
param runtimeQueueEndpoint string
param deploymentContainerName string

param dataBlobEndpoint string
param dataQueueEndpoint string
param dataTableEndpoint string

param applicationInsightsConnectionString string
@description('Fraction of traces exported, 0 to 1.')
param traceSamplingRatio string
param virtualNetworkSubnetId string

@description('CIDR ranges that may reach the SCM (deployment) site.')
param scmAllowedIpRanges string[]

param maximumInstanceCount int
param instanceMemoryMB int

@description('CloudAnon settings (IngressContainer, KeyVaultUri, ...), the names the code reads.')
param cloudAnonSettings object

// Each connection names the user-assigned identity (__clientId): without it the platform would look for a system-assigned one.
var connectionSettings = {
  AzureWebJobsStorage__blobServiceUri: runtimeBlobEndpoint
  AzureWebJobsStorage__queueServiceUri: runtimeQueueEndpoint
  AzureWebJobsStorage__credential: 'managedidentity'
  AzureWebJobsStorage__clientId: identityClientId
  // "Storage" is the blob trigger's and the adapters' connection to the data account; the queue endpoint is where the
  // blob extension keeps its poison queue.
  Storage__blobServiceUri: dataBlobEndpoint
  Storage__queueServiceUri: dataQueueEndpoint
  Storage__tableServiceUri: dataTableEndpoint
  Storage__credential: 'managedidentity'
  Storage__clientId: identityClientId
  AZURE_CLIENT_ID: identityClientId
  APPLICATIONINSIGHTS_CONNECTION_STRING: applicationInsightsConnectionString
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identityClientId};Authorization=AAD'
  // With telemetryMode OpenTelemetry, host.json's samplingSettings are ignored: the Azure Monitor exporters of the host
  // and the worker read their sampler from these.
  OTEL_TRACES_SAMPLER: 'microsoft.fixed_percentage'
  OTEL_TRACES_SAMPLER_ARG: traceSamplingRatio
}

module host '../core/host/functions-flexconsumption.bicep' = {
  name: 'functions-flexconsumption'
  params: {
    planName: planName
    appName: appName
    location: location
    tags: union(tags, { 'azd-service-name': 'cloudanon' })
    runtimeName: 'dotnet-isolated'
    runtimeVersion: '10.0'
    identityId: identityId
    deploymentContainerUrl: '${runtimeBlobEndpoint}${deploymentContainerName}'
    maximumInstanceCount: maximumInstanceCount
    instanceMemoryMB: instanceMemoryMB
    virtualNetworkSubnetId: virtualNetworkSubnetId
    // Event Grid deliveries are the only calls the app takes; its webhook key alone is not the whole protection.
    allowedServiceTags: ['AzureEventGrid']
    scmAllowedIpRanges: scmAllowedIpRanges
    appSettings: union(connectionSettings, cloudAnonSettings)
  }
}

output name string = host.outputs.name
output uri string = 'https://${host.outputs.defaultHostName}'

// Optional private networking: VNet integration for the function app and private endpoints for storage and Key Vault.
param location string
param tags object = {}
param resourceToken string
param abbrs object

param addressPrefix string = '10.20.0.0/16'
param appSubnetPrefix string = '10.20.1.0/24'
param privateEndpointSubnetPrefix string = '10.20.2.0/24'
@description('The DICOM gateway environment\'s subnet; empty when the gateway is not deployed.')
param gatewaySubnetPrefix string = ''

param dataStorageAccountId string
param runtimeStorageAccountId string
param keyVaultId string

var privateDnsZones = [
  { groupId: 'blob', name: 'privatelink.blob.${environment().suffixes.storage}' }
  { groupId: 'queue', name: 'privatelink.queue.${environment().suffixes.storage}' }
  { groupId: 'table', name: 'privatelink.table.${environment().suffixes.storage}' }
  { groupId: 'vault', name: 'privatelink.vaultcore.azure.net' }
]
var privateDnsZoneGroupIds = map(privateDnsZones, zone => zone.groupId)

var storageEndpoints = union(
  [
    { name: 'data-blob', target: dataStorageAccountId, groupId: 'blob' }
    { name: 'data-queue', target: dataStorageAccountId, groupId: 'queue' }
    { name: 'data-table', target: dataStorageAccountId, groupId: 'table' }
  ],
  runtimeStorageAccountId == dataStorageAccountId
    ? []
    : [
        { name: 'runtime-blob', target: runtimeStorageAccountId, groupId: 'blob' }
        { name: 'runtime-queue', target: runtimeStorageAccountId, groupId: 'queue' }
      ]
)
var privateEndpoints = concat(storageEndpoints, [{ name: 'vault', target: keyVaultId, groupId: 'vault' }])

module vnet '../core/network/virtual-network.bicep' = {
  name: 'virtual-network'
  params: {
    name: '${abbrs.networkVirtualNetworks}${resourceToken}'
    location: location
    tags: tags
    addressPrefix: addressPrefix
    appSubnetPrefix: appSubnetPrefix
    privateEndpointSubnetPrefix: privateEndpointSubnetPrefix
    gatewaySubnetPrefix: gatewaySubnetPrefix
  }
}

module zones '../core/network/private-dns-zone.bicep' = [for zone in privateDnsZones: {
  name: 'private-dns-${zone.groupId}'
  params: {
    name: zone.name
    tags: tags
    virtualNetworkId: vnet.outputs.id
  }
}]

module endpoints '../core/network/private-endpoint.bicep' = [for endpoint in privateEndpoints: {
  name: 'private-endpoint-${endpoint.name}'
  params: {
    name: '${abbrs.networkPrivateEndpoints}${endpoint.name}-${resourceToken}'
    location: location
    tags: tags
    subnetId: vnet.outputs.privateEndpointSubnetId
    targetResourceId: endpoint.target
    groupId: endpoint.groupId
    privateDnsZoneId: zones[indexOf(privateDnsZoneGroupIds, endpoint.groupId)].outputs.id
  }
}]

output appSubnetId string = vnet.outputs.appSubnetId
output gatewaySubnetId string = vnet.outputs.gatewaySubnetId

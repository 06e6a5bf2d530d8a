// A virtual network with one subnet for the function app's outbound integration and one for private endpoints, and
// optionally one for the DICOM gateway's Container Apps environment.
param name string
param location string
param tags object = {}
param addressPrefix string
param appSubnetPrefix string
param privateEndpointSubnetPrefix string
@description('The gateway environment\'s subnet (a /27 or larger); empty for none.')
param gatewaySubnetPrefix string = ''

var gatewaySubnets = empty(gatewaySubnetPrefix)
  ? []
  : [
      {
        name: 'gateway'
        properties: {
          addressPrefix: gatewaySubnetPrefix
          delegations: [{ name: 'container-apps', properties: { serviceName: 'Microsoft.App/environments' } }]
        }
      }
    ]

resource vnet 'Microsoft.Network/virtualNetworks@2024-05-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    addressSpace: {
      addressPrefixes: [addressPrefix]
    }
    subnets: concat([
      {
        name: 'app'
        properties: {
          addressPrefix: appSubnetPrefix
          // Flex Consumption integrates through a subnet delegated to Container Apps environments.
          delegations: [{ name: 'flex-consumption', properties: { serviceName: 'Microsoft.App/environments' } }]
        }
      }
      {
        name: 'private-endpoints'
        properties: {
          addressPrefix: privateEndpointSubnetPrefix
          privateEndpointNetworkPolicies: 'Disabled'
        }
      }
    ], gatewaySubnets)
  }

  resource appSubnet 'subnets' existing = {
    name: 'app'
  }

  resource privateEndpointSubnet 'subnets' existing = {
    name: 'private-endpoints'
  }
}

output id string = vnet.id
output appSubnetId string = vnet::appSubnet.id
output privateEndpointSubnetId string = vnet::privateEndpointSubnet.id
output gatewaySubnetId string = empty(gatewaySubnetPrefix) ? '' : '${vnet.id}/subnets/gateway'

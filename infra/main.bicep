// AssistDesk in one resource group: the bot's user-assigned managed identity, Azure Storage for sessions and
// the report outbox, Application Insights with two alerts, the bot as an Azure Container App, the Azure Bot
// with its Teams channel, and (optionally) the Entra app registration the bot calls Microsoft Graph with.
//
//   az deployment group create -g <group> -f infra/main.bicep -p @infra/main.parameters.json -p containerImage=...
//
// infra/deploy.sh runs the whole sequence (image build, this deployment, the Teams app package).
targetScope = 'resourceGroup'

@description('Short name used in every resource name (letters and digits, 3 to 11).')
@minLength(3)
@maxLength(11)
param appName string = 'assistdesk'

@description('Azure region of the resources (the Azure Bot itself is global).')
param location string = resourceGroup().location

@description('The container image to run, e.g. myregistry.azurecr.io/assistdesk:1a2b3c4.')
param containerImage string

@description('Name of an Azure Container Registry in this resource group that holds containerImage; the bot\'s identity gets AcrPull on it. Empty: a public image.')
param registryName string = ''

@description('Object id of the Entra group of technicians (TECHNICIAN_GROUP_ID): required in production.')
param technicianGroupId string

@description('Whom a refused user is told to ask (TECHNICIAN_GROUP_CONTACT). Empty: "your IT administrator".')
param technicianGroupContact string = ''

@description('The helpdesk channel\'s conversation id, 19:...@thread.tacv2 (HELPDESK_CHANNEL_ID). Empty until the app is installed in a team.')
param helpdeskChannelId string = ''

@description('Entra group whose members alone may ask for help (REQUESTER_GROUP_ID). Empty: anyone of the allowed tenants.')
param requesterGroupId string = ''

@description('Comma-separated tenant GUIDs whose users are served (ALLOWED_TENANT_IDS). Empty: this tenant only.')
param allowedTenantIds string = ''

@description('Teams single sign-on: the app registration\'s Application ID URI (SSO_APP_ID_URI). Set with ssoConnectionName, after the manual steps in docs/ADMIN.md.')
param ssoAppIdUri string = ''

@description('Teams single sign-on: the Azure Bot\'s OAuth connection name (SSO_CONNECTION_NAME).')
param ssoConnectionName string = ''

@description('LOG_LEVEL of the bot.')
@allowed(['fatal', 'error', 'warn', 'info', 'debug', 'trace'])
param logLevel string = 'info'

@description('Create the Graph app registration, its federated credential and its admin-consented Graph permissions with the Microsoft Graph Bicep extension (the deployer needs the Entra rights listed in docs/ADMIN.md). False: name an existing one in graphAppClientId.')
param createAppRegistration bool = true

@description('With createAppRegistration=false: the client id of the existing app registration (AZURE_CLIENT_ID) whose federated credential trusts the bot\'s managed identity.')
param graphAppClientId string = ''

@description('Microsoft Graph application permissions granted (with admin consent) to the app registration. Drop DeviceManagementManagedDevices.ReadWrite.All when single sign-on is configured.')
param graphAppRoles array = [
  'DeviceManagementManagedDevices.Read.All'
  'DeviceManagementManagedDevices.ReadWrite.All'
  'DeviceManagementServiceConfig.Read.All'
  'User.Read.All'
  'GroupMember.Read.All'
]

@description('Replicas of the bot. At least 1: the report worker and the sweep run inside the bot, so it must never scale to zero.')
@minValue(1)
param minReplicas int = 1

@maxValue(30)
param maxReplicas int = 3

@description('Days deleted or overwritten session blobs stay recoverable (blob soft delete, versions, point-in-time restore one day less).')
@minValue(2)
@maxValue(365)
param storageRecoveryDays int = 30

@description('Storage redundancy. Standard_ZRS where the region has zones.')
@allowed(['Standard_LRS', 'Standard_ZRS', 'Standard_GRS', 'Standard_GZRS'])
param storageSku string = 'Standard_LRS'

@description('E-mail address the alerts go to. Empty: alerts show in the portal only.')
param alertEmail string = ''

@description('Alert when the oldest report in the outbox is older than this many seconds.')
param outboxOldestAgeAlertSec int = 900

@description('Azure Bot pricing tier (F0 is free and limited to standard channels; Teams is one).')
@allowed(['F0', 'S1'])
param botSku string = 'F0'

var suffix = uniqueString(resourceGroup().id, appName)
var tenantId = tenant().tenantId

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: 'id-${appName}-${suffix}'
  location: location
}

module storage 'modules/storage.bicep' = {
  name: 'storage'
  params: {
    location: location
    accountName: take('st${appName}${suffix}', 24)
    sku: storageSku
    recoveryDays: storageRecoveryDays
    principalId: identity.properties.principalId
  }
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  params: {
    location: location
    baseName: '${appName}-${suffix}'
    alertEmail: alertEmail
    outboxOldestAgeAlertSec: outboxOldestAgeAlertSec
  }
}

module entraApp 'modules/entraApp.bicep' = if (createAppRegistration) {
  name: 'entraApp'
  params: {
    uniqueName: '${appName}-graph-${suffix}'
    displayName: 'AssistDesk (${appName}) Microsoft Graph'
    managedIdentityPrincipalId: identity.properties.principalId
    graphAppRoles: graphAppRoles
  }
}

var graphClientId = createAppRegistration ? entraApp.outputs.clientId : graphAppClientId

module app 'modules/containerApp.bicep' = {
  name: 'containerApp'
  params: {
    location: location
    baseName: '${appName}-${suffix}'
    containerImage: containerImage
    registryName: registryName
    identityId: identity.id
    identityPrincipalId: identity.properties.principalId
    logAnalyticsWorkspaceName: monitoring.outputs.workspaceName
    appInsightsName: monitoring.outputs.appInsightsName
    minReplicas: minReplicas
    maxReplicas: maxReplicas
    settings: {
      AZURE_TENANT_ID: tenantId
      AZURE_CLIENT_ID: graphClientId
      MANAGED_IDENTITY_CLIENT_ID: identity.properties.clientId
      MicrosoftAppType: 'UserAssignedMSI'
      MicrosoftAppId: identity.properties.clientId
      MicrosoftAppTenantId: tenantId
      AZURE_STORAGE_ACCOUNT_URL: storage.outputs.blobEndpoint
      TECHNICIAN_GROUP_ID: technicianGroupId
      TECHNICIAN_GROUP_CONTACT: technicianGroupContact
      HELPDESK_CHANNEL_ID: helpdeskChannelId
      REQUESTER_GROUP_ID: requesterGroupId
      ALLOWED_TENANT_IDS: allowedTenantIds
      SSO_APP_ID_URI: ssoAppIdUri
      SSO_CONNECTION_NAME: ssoConnectionName
      LOG_LEVEL: logLevel
    }
  }
}

module bot 'modules/bot.bicep' = {
  name: 'bot'
  params: {
    botName: 'bot-${appName}-${suffix}'
    displayName: 'AssistDesk'
    sku: botSku
    endpoint: 'https://${app.outputs.fqdn}/api/messages'
    identityClientId: identity.properties.clientId
    identityId: identity.id
    tenantId: tenantId
  }
}

@description('BOT_ID for npm run package: the bot\'s Microsoft App ID is its managed identity\'s client id.')
output botId string = identity.properties.clientId

@description('BOT_DOMAIN for npm run package.')
output botDomain string = app.outputs.fqdn

@description('AZURE_CLIENT_ID: the app registration the bot calls Microsoft Graph with (webApplicationInfo.id with single sign-on).')
output graphClientId string = graphClientId

output storageAccountName string = storage.outputs.accountName
output appInsightsName string = monitoring.outputs.appInsightsName
output containerAppName string = app.outputs.name

// The Azure Bot: Teams delivers activities to `endpoint`, and the bot's identity is the user-assigned managed
// identity (msaAppType UserAssignedMSI), so there is no bot secret anywhere. The bot process is told the same
// with MicrosoftAppType=UserAssignedMSI and MicrosoftAppId=<the identity's client id>.
param botName string
param displayName string
param sku string
param endpoint string
param identityClientId string
param identityId string
param tenantId string

resource bot 'Microsoft.BotService/botServices@2022-09-15' = {
  name: botName
  location: 'global'
  kind: 'azurebot'
  sku: {
    name: sku
  }
  properties: {
    displayName: displayName
    endpoint: endpoint
    msaAppType: 'UserAssignedMSI'
    msaAppId: identityClientId
    msaAppMSIResourceId: identityId
    msaAppTenantId: tenantId
  }
}

resource teams 'Microsoft.BotService/botServices/channels@2022-09-15' = {
  parent: bot
  name: 'MsTeamsChannel'
  location: 'global'
  properties: {
    channelName: 'MsTeamsChannel'
    properties: {
      isEnabled: true
    }
  }
}

output name string = bot.name

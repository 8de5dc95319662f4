// The Entra app registration the bot calls Microsoft Graph with (AZURE_CLIENT_ID), made with the Microsoft
// Graph Bicep extension (infra/bicepconfig.json; generally available since July 2025, public cloud only):
// - no secret and no certificate: a federated identity credential trusts the bot's user-assigned managed
//   identity, whose token for api://AzureADTokenExchange is the app's client assertion
//   (MANAGED_IDENTITY_CLIENT_ID in the bot);
// - the Graph application permissions it needs, declared (requiredResourceAccess) and granted: an
//   appRoleAssignedTo per permission is what admin consent records.
// Single sign-on (an exposed API, the Teams clients pre-authorized, delegated consent) stays a documented
// step in docs/ADMIN.md. The deployer needs Application.ReadWrite.All and AppRoleAssignment.ReadWrite.All
// (an Entra Privileged Role Administrator or Global Administrator), as docs/ADMIN.md says.
extension microsoftGraphV1

param uniqueName string
param displayName string
@description('Object (principal) id of the bot\'s user-assigned managed identity.')
param managedIdentityPrincipalId string
@description('Microsoft Graph application permissions (app role values) to grant.')
param graphAppRoles array

var graphAppId = '00000003-0000-0000-c000-000000000000'
var issuer = '${environment().authentication.loginEndpoint}${tenant().tenantId}/v2.0'

resource graph 'Microsoft.Graph/servicePrincipals@v1.0' existing = {
  appId: graphAppId
}

var roleIds = map(graphAppRoles, role => filter(graph.appRoles, appRole => appRole.value == role)[0].id)

resource app 'Microsoft.Graph/applications@v1.0' = {
  uniqueName: uniqueName
  displayName: displayName
  signInAudience: 'AzureADMyOrg'
  requiredResourceAccess: [
    {
      resourceAppId: graphAppId
      resourceAccess: map(roleIds, roleId => { id: roleId, type: 'Role' })
    }
  ]

  resource managedIdentityCredential 'federatedIdentityCredentials@v1.0' = {
    name: '${uniqueName}/bot-managed-identity'
    description: 'The AssistDesk bot\'s user-assigned managed identity signs in as this app'
    audiences: ['api://AzureADTokenExchange']
    issuer: issuer
    subject: managedIdentityPrincipalId
  }
}

resource servicePrincipal 'Microsoft.Graph/servicePrincipals@v1.0' = {
  appId: app.appId
}

// The loop runs over the parameter (known when the deployment starts), not over ids read from Graph.
resource grants 'Microsoft.Graph/appRoleAssignedTo@v1.0' = [
  for role in graphAppRoles: {
    appRoleId: filter(graph.appRoles, appRole => appRole.value == role)[0].id
    principalId: servicePrincipal.id
    resourceId: graph.id
  }
]

output clientId string = app.appId

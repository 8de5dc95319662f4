// The bot as an Azure Container App running the image built from the repository's Dockerfile, with its
// user-assigned managed identity (the bot's own identity, Graph's client assertion and Azure Storage), its
// settings, and the probes: Container Apps ignores a Dockerfile HEALTHCHECK, so they are declared here.
param location string
param baseName string
param containerImage string
@description('An Azure Container Registry in this resource group to pull from with the identity; empty: a public image.')
param registryName string
param identityId string
param identityPrincipalId string
param logAnalyticsWorkspaceName string
param appInsightsName string
param minReplicas int
param maxReplicas int
@description('The bot\'s environment variables; empty values are left out (the bot\'s defaults apply).')
param settings object

// The port the bot listens on (PORT, default 3978) and the paths src/index.ts serves.
var port = 3978
var readinessPath = '/readyz'
var livenessPath = '/healthz'

// Built-in role AcrPull (MicrosoftDocs/azure-docs, articles/role-based-access-control/built-in-roles/containers.md).
var acrPull = '7f951dda-4ed3-4680-a7ca-43fe172d538d'

resource workspace 'Microsoft.OperationalInsights/workspaces@2023-09-01' existing = {
  name: logAnalyticsWorkspaceName
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: appInsightsName
}

resource registry 'Microsoft.ContainerRegistry/registries@2023-07-01' existing = if (!empty(registryName)) {
  name: empty(registryName) ? 'unused' : registryName
}

resource pullRole 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(registryName)) {
  scope: registry
  name: guid(registry.id, identityPrincipalId, acrPull)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', acrPull)
    principalId: identityPrincipalId
    principalType: 'ServicePrincipal'
  }
}

resource environment 'Microsoft.App/managedEnvironments@2024-03-01' = {
  name: 'cae-${baseName}'
  location: location
  properties: {
    appLogsConfiguration: {
      destination: 'log-analytics'
      logAnalyticsConfiguration: {
        customerId: workspace.properties.customerId
        sharedKey: workspace.listKeys().primarySharedKey
      }
    }
  }
}

var plainSettings = filter(items(settings), setting => !empty(setting.value))
var env = concat(
  map(plainSettings, setting => { name: setting.key, value: setting.value }),
  [
    { name: 'APPLICATIONINSIGHTS_CONNECTION_STRING', secretRef: 'appinsights-connection-string' }
  ]
)

resource app 'Microsoft.App/containerApps@2024-03-01' = {
  name: take('ca-${baseName}', 32)
  location: location
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  dependsOn: [pullRole]
  properties: {
    managedEnvironmentId: environment.id
    configuration: {
      activeRevisionsMode: 'Single'
      ingress: {
        external: true
        targetPort: port
        transport: 'auto'
        allowInsecure: false
      }
      registries: empty(registryName) ? [] : [
        {
          server: registry.properties.loginServer
          identity: identityId
        }
      ]
      secrets: [
        {
          name: 'appinsights-connection-string'
          value: appInsights.properties.ConnectionString
        }
      ]
    }
    template: {
      // Within the bot's 20 s shutdown grace (src/index.ts): turns and reports in hand finish first.
      terminationGracePeriodSeconds: 30
      containers: [
        {
          name: 'assistdesk'
          image: containerImage
          env: env
          resources: {
            cpu: json('0.5')
            memory: '1Gi'
          }
          probes: [
            {
              type: 'Startup'
              httpGet: {
                path: livenessPath
                port: port
              }
              // Container Apps allows at most 10 failures: up to 55 s to start (storage opened, migrations run).
              initialDelaySeconds: 5
              periodSeconds: 5
              failureThreshold: 10
            }
            {
              type: 'Liveness'
              httpGet: {
                path: livenessPath
                port: port
              }
              periodSeconds: 30
              timeoutSeconds: 5
              failureThreshold: 3
            }
            {
              type: 'Readiness'
              httpGet: {
                path: readinessPath
                port: port
              }
              periodSeconds: 10
              timeoutSeconds: 5
              failureThreshold: 3
            }
          ]
        }
      ]
      scale: {
        minReplicas: minReplicas
        maxReplicas: maxReplicas
        rules: [
          {
            name: 'http'
            http: {
              metadata: {
                concurrentRequests: '50'
              }
            }
          }
        ]
      }
    }
  }
}

output fqdn string = app.properties.configuration.ingress.fqdn
output name string = app.name

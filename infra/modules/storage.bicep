// Azure Storage for several instances: the `sessions` container (sessions, claims, markers, the write
// budget) and the `reports` queue (the outbox). The bot signs in with its managed identity only: shared keys
// are off, and the identity gets the two data roles it needs on this account and nothing more.
param location string
param accountName string
param sku string
@description('Days deleted or overwritten blobs stay recoverable.')
param recoveryDays int
@description('Object (principal) id of the bot\'s managed identity.')
param principalId string

// Built-in role definition ids, from Microsoft's list of built-in roles for Storage
// (MicrosoftDocs/azure-docs, articles/role-based-access-control/built-in-roles/storage.md).
var storageBlobDataContributor = 'ba92f5b4-2d11-453d-a403-e96b0029c9fe'
var storageQueueDataContributor = '974c5e8b-45b9-4653-ba55-5f855dd0fb88'

resource account 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: accountName
  location: location
  kind: 'StorageV2'
  sku: {
    name: sku
  }
  properties: {
    accessTier: 'Hot'
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    allowBlobPublicAccess: false
    allowSharedKeyAccess: false
    defaultToOAuthAuthentication: true
  }
}

// Recovery: soft delete of blobs and containers, a version for every overwrite, and point-in-time restore
// (which needs versioning, the change feed and soft delete, and must be shorter than soft delete).
resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2023-05-01' = {
  parent: account
  name: 'default'
  properties: {
    isVersioningEnabled: true
    changeFeed: {
      enabled: true
      retentionInDays: recoveryDays
    }
    deleteRetentionPolicy: {
      enabled: true
      days: recoveryDays
    }
    containerDeleteRetentionPolicy: {
      enabled: true
      days: recoveryDays
    }
    restorePolicy: {
      enabled: true
      days: recoveryDays - 1
    }
  }
}

resource sessions 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = {
  parent: blobService
  name: 'sessions'
  properties: {
    publicAccess: 'None'
  }
}

resource queueService 'Microsoft.Storage/storageAccounts/queueServices@2023-05-01' = {
  parent: account
  name: 'default'
}

resource reports 'Microsoft.Storage/storageAccounts/queueServices/queues@2023-05-01' = {
  parent: queueService
  name: 'reports'
}

// Sessions are rewritten at every change, so versions pile up: keep them only as long as they can be restored.
resource lifecycle 'Microsoft.Storage/storageAccounts/managementPolicies@2023-05-01' = {
  parent: account
  name: 'default'
  properties: {
    policy: {
      rules: [
        {
          name: 'expire-old-versions'
          enabled: true
          type: 'Lifecycle'
          definition: {
            filters: {
              blobTypes: ['blockBlob']
              prefixMatch: ['sessions/']
            }
            actions: {
              version: {
                delete: {
                  daysAfterCreationGreaterThan: recoveryDays
                }
              }
            }
          }
        }
      ]
    }
  }
}

resource blobRole 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: account
  name: guid(account.id, principalId, storageBlobDataContributor)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageBlobDataContributor)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

resource queueRole 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: account
  name: guid(account.id, principalId, storageQueueDataContributor)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageQueueDataContributor)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

// Deleting the account (or its resource group) fails until this lock is removed on purpose.
resource deleteLock 'Microsoft.Authorization/locks@2020-05-01' = {
  scope: account
  name: 'assistdesk-keep-sessions'
  properties: {
    level: 'CanNotDelete'
    notes: 'AssistDesk sessions and queued reports live here (docs/ADMIN.md, Backup and restore).'
  }
}

@description('The blob endpoint, AZURE_STORAGE_ACCOUNT_URL (the bot derives the queue endpoint from it).')
output blobEndpoint string = account.properties.primaryEndpoints.blob
output accountName string = account.name

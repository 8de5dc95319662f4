// Log Analytics (the Container Apps logs), Application Insights (the bot's OpenTelemetry metrics land in its
// customMetrics table under the names the bot exports) and the two alerts an admin must hear about: a report
// Intune did not accept for good, and an outbox that is not being drained.
param location string
param baseName string
@description('Where alerts are e-mailed; empty: no action group, alerts show in the portal only.')
param alertEmail string
param outboxOldestAgeAlertSec int

resource workspace 'Microsoft.OperationalInsights/workspaces@2023-09-01' = {
  name: 'log-${baseName}'
  location: location
  properties: {
    sku: {
      name: 'PerGB2018'
    }
    retentionInDays: 30
  }
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' = {
  name: 'appi-${baseName}'
  location: location
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: workspace.id
  }
}

resource actionGroup 'Microsoft.Insights/actionGroups@2023-01-01' = if (!empty(alertEmail)) {
  name: 'ag-${baseName}'
  location: 'global'
  properties: {
    groupShortName: 'assistdesk'
    enabled: true
    emailReceivers: [
      {
        name: 'admin'
        emailAddress: alertEmail
        useCommonAlertSchema: true
      }
    ]
  }
}

var actions = empty(alertEmail) ? {} : { actionGroups: [actionGroup.id] }

// The rules aggregate the measure column themselves over the window (timeAggregation), so the queries only
// pick the rows and the column.
// assistdesk.reports (counter, attribute outcome: delivered, retried, failed): any failed report in 15 minutes.
resource failedReportsAlert 'Microsoft.Insights/scheduledQueryRules@2023-03-15-preview' = {
  name: 'alert-${baseName}-failed-reports'
  location: location
  properties: {
    displayName: 'AssistDesk: a report was not accepted by Intune'
    description: 'A session report failed for good (400/401/403/404, or still failing after REPORT_RETRY_HOURS). The technician sees it in "sessions" with a Retry button; docs/ADMIN.md, Troubleshooting, says what each cause needs.'
    severity: 2
    enabled: true
    scopes: [appInsights.id]
    evaluationFrequency: 'PT5M'
    windowSize: 'PT15M'
    criteria: {
      allOf: [
        {
          query: 'customMetrics | where name == "assistdesk.reports" and tostring(customDimensions.outcome) == "failed" | project timestamp, failed = valueSum'
          timeAggregation: 'Total'
          metricMeasureColumn: 'failed'
          operator: 'GreaterThan'
          threshold: 0
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    autoMitigate: true
    actions: actions
  }
}

// assistdesk.outbox.oldest_age (gauge, seconds): reports are waiting and no worker is getting them out.
resource outboxAgeAlert 'Microsoft.Insights/scheduledQueryRules@2023-03-15-preview' = {
  name: 'alert-${baseName}-outbox-age'
  location: location
  properties: {
    displayName: 'AssistDesk: reports are waiting in the outbox'
    description: 'The oldest queued report is older than ${outboxOldestAgeAlertSec} s: Intune may be down or throttling, or no replica is running the worker. docs/ADMIN.md, Troubleshooting.'
    severity: 2
    enabled: true
    scopes: [appInsights.id]
    evaluationFrequency: 'PT5M'
    windowSize: 'PT15M'
    criteria: {
      allOf: [
        {
          query: 'customMetrics | where name == "assistdesk.outbox.oldest_age" | project timestamp, oldestAgeSec = valueMax'
          timeAggregation: 'Maximum'
          metricMeasureColumn: 'oldestAgeSec'
          operator: 'GreaterThan'
          threshold: outboxOldestAgeAlertSec
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    autoMitigate: true
    actions: actions
  }
}

output workspaceName string = workspace.name
output appInsightsName string = appInsights.name

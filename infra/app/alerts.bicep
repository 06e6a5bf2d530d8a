// Alerts an operator must not miss: events Event Grid could not deliver (their blobs stay unprocessed), quarantine
// growing faster than reviewers can keep up, and the certificate: near expiry (Key Vault's own event) or refused.
param location string
param tags object = {}
param resourceToken string
param abbrs object
param eventGridTopicName string
param keyVaultName string
param applicationInsightsName string

@description('E-mail address notified by every alert; empty for alerts without notification (they still show in Azure Monitor).')
param alertEmailAddress string

@description('Quarantined files in one hour that raise the quarantine-growth alert.')
param quarantineAlertThreshold int

resource topic 'Microsoft.EventGrid/systemTopics@2025-02-15' existing = {
  name: eventGridTopicName
}

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' existing = {
  name: keyVaultName
}

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

resource actionGroup 'Microsoft.Insights/actionGroups@2023-01-01' = if (!empty(alertEmailAddress)) {
  name: '${abbrs.insightsActionGroups}${resourceToken}'
  location: 'global'
  tags: tags
  properties: {
    groupShortName: 'cloudanon'
    enabled: true
    emailReceivers: [{ name: 'operators', emailAddress: alertEmailAddress, useCommonAlertSchema: true }]
  }
}

var actions = empty(alertEmailAddress) ? [] : [{ actionGroupId: actionGroup.id }]

resource deadLetterAlert 'Microsoft.Insights/metricAlerts@2018-03-01' = {
  name: 'cloudanon-dead-lettered-events'
  location: 'global'
  tags: tags
  properties: {
    description: 'Event Grid dead-lettered ingress events: those blobs are not processed until re-sent or backfilled.'
    severity: 1
    enabled: true
    scopes: [topic.id]
    evaluationFrequency: 'PT5M'
    windowSize: 'PT15M'
    criteria: {
      'odata.type': 'Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria'
      allOf: [
        {
          criterionType: 'StaticThresholdCriterion'
          name: 'dead-lettered'
          metricName: 'DeadLetteredCount'
          metricNamespace: 'Microsoft.EventGrid/systemTopics'
          operator: 'GreaterThan'
          threshold: 0
          timeAggregation: 'Total'
        }
      ]
    }
    actions: actions
  }
}

// The app's "CloudAnon" meter (IngressMetrics) counts files by outcome and reason code; no blob names.
var filesByOutcome = 'customMetrics | where name == "cloudanon.ingress.files" | extend outcome = tostring(customDimensions.outcome), reason = tostring(customDimensions.reason)'

var logAlerts = [
  {
    name: 'cloudanon-quarantine-growth'
    description: 'More files were quarantined in the last hour than reviewers expect; quarantined originals expire after quarantineRetentionDays.'
    severity: 2
    window: 'PT1H'
    query: '${filesByOutcome} | where outcome == "quarantine" | summarize Files = sum(valueSum)'
    threshold: quarantineAlertThreshold - 1
  }
  {
    name: 'cloudanon-certificate-refused'
    description: 'Files failed because the encryption certificate was unavailable: expired, disabled, not RSA, or the vault unreachable.'
    severity: 1
    window: 'PT15M'
    query: '${filesByOutcome} | where outcome == "failed" and reason == "CertificateUnavailable" | summarize Files = sum(valueSum)'
    threshold: 0
  }
]

resource logAlertRules 'Microsoft.Insights/scheduledQueryRules@2023-12-01' = [for alert in logAlerts: {
  name: alert.name
  location: location
  tags: tags
  properties: {
    description: alert.description
    severity: alert.severity
    enabled: true
    scopes: [applicationInsights.id]
    evaluationFrequency: 'PT15M'
    windowSize: alert.window
    criteria: {
      allOf: [
        {
          query: alert.query
          timeAggregation: 'Total'
          metricMeasureColumn: 'Files'
          operator: 'GreaterThan'
          threshold: alert.threshold
          failingPeriods: { numberOfEvaluationPeriods: 1, minFailingPeriodsToAlert: 1 }
        }
      ]
    }
    actions: { actionGroups: empty(alertEmailAddress) ? [] : [actionGroup.id] }
  }
}]

// Key Vault raises CertificateNearExpiry (by default 30 days before NotAfter) as an Event Grid event; Event Grid turns
// it into an Azure Monitor alert.
resource vaultEvents 'Microsoft.EventGrid/systemTopics@2025-02-15' = {
  name: '${abbrs.eventGridDomainsTopics}kv-${resourceToken}'
  location: location
  tags: tags
  properties: {
    source: vault.id
    topicType: 'Microsoft.KeyVault.vaults'
  }

  resource certificateNearExpiry 'eventSubscriptions' = {
    name: 'certificate-near-expiry'
    properties: {
      eventDeliverySchema: 'CloudEventSchemaV1_0'
      destination: {
        endpointType: 'MonitorAlert'
        properties: {
          severity: 'Sev1'
          description: 'The de-identification certificate expires soon: import a new version before it does, or encryption stops.'
          actionGroups: empty(alertEmailAddress) ? [] : [actionGroup.id]
        }
      }
      filter: {
        includedEventTypes: ['Microsoft.KeyVault.CertificateNearExpiry', 'Microsoft.KeyVault.CertificateExpired']
      }
    }
  }
}

// The OpenTelemetry SDK, started only when telemetry goes somewhere (see start.ts): Application Insights
// through Microsoft's distro, an OTLP/HTTP collector, or both.
import type { IncomingMessage } from 'node:http';
import type { HttpInstrumentationConfig } from '@opentelemetry/instrumentation-http';
import type { TelemetryConfig } from '../config';

/** Probes say nothing worth a trace, and come every few seconds. */
const PROBES = new Set(['/healthz', '/readyz']);
/** Azure's instance metadata service, which the distro's VM resource detector asks at start: not our dependency. */
const IMDS = '169.254.169.254';
const httpOptions: HttpInstrumentationConfig = {
  ignoreIncomingRequestHook: (request: IncomingMessage) => PROBES.has((request.url ?? '').split('?')[0]),
  ignoreOutgoingRequestHook: (request) => request.hostname === IMDS || request.host === IMDS,
};
const SERVICE_NAME = 'assistdesk';

/** Starts the SDK; returns what flushes and stops it. */
export function startSdk(config: TelemetryConfig): () => Promise<void> {
  const otlp = config.otlp && otlpPipeline(config.otlp.endpoint);
  if (config.applicationInsights) {
    const { useAzureMonitor, shutdownAzureMonitor } = require('@azure/monitor-opentelemetry') as typeof import('@azure/monitor-opentelemetry');
    const { resources } = require('@opentelemetry/sdk-node') as typeof import('@opentelemetry/sdk-node');
    useAzureMonitor({
      azureMonitorExporterOptions: { connectionString: config.applicationInsights.connectionString },
      // Live metrics keeps a connection of its own to another Microsoft endpoint; the portal's charts and
      // alerts read the ingested telemetry, which is enough here.
      enableLiveMetrics: false,
      // Every trace: a helpdesk's turns are few, and the distro's default rate limiter (5 traces/s) dropped
      // the incoming request of a turn while keeping its children.
      samplingRatio: 1,
      tracesPerSecond: 0,
      resource: resources.resourceFromAttributes({ 'service.name': SERVICE_NAME }),
      instrumentationOptions: { http: { enabled: true, ...httpOptions }, mongoDb: { enabled: false }, mySql: { enabled: false }, postgreSql: { enabled: false }, redis: { enabled: false }, redis4: { enabled: false } },
      // The distro's types name its own copy of sdk-metrics; the reader is of the copy its NodeSDK runs on.
      spanProcessors: otlp ? [otlp.spans] : [],
      metricReaders: otlp ? [otlp.metrics as never] : [],
    });
    return async () => void (await shutdownAzureMonitor());
  }
  const { NodeSDK } = require('@opentelemetry/sdk-node') as typeof import('@opentelemetry/sdk-node');
  const { HttpInstrumentation } = require('@opentelemetry/instrumentation-http') as typeof import('@opentelemetry/instrumentation-http');
  const sdk = new NodeSDK({
    serviceName: SERVICE_NAME,
    spanProcessors: [otlp!.spans],
    metricReaders: [otlp!.metrics],
    // Logs are pino's (stdout), not OpenTelemetry's.
    logRecordProcessors: [],
    instrumentations: [new HttpInstrumentation(httpOptions)],
  });
  sdk.start();
  return () => sdk.shutdown();
}

/** OTLP over HTTP with JSON bodies, to `<endpoint>/v1/traces` and `<endpoint>/v1/metrics`. */
function otlpPipeline(endpoint: string) {
  const { tracing, metrics } = require('@opentelemetry/sdk-node') as typeof import('@opentelemetry/sdk-node');
  const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-http') as typeof import('@opentelemetry/exporter-trace-otlp-http');
  const { OTLPMetricExporter } = require('@opentelemetry/exporter-metrics-otlp-http') as typeof import('@opentelemetry/exporter-metrics-otlp-http');
  return {
    spans: new tracing.BatchSpanProcessor(new OTLPTraceExporter({ url: `${endpoint}/v1/traces` })),
    metrics: new metrics.PeriodicExportingMetricReader({ exporter: new OTLPMetricExporter({ url: `${endpoint}/v1/metrics` }) }),
  };
}

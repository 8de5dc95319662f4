// Loaded first by src/index.ts, before restify, botbuilder or the Azure SDKs load http: the HTTP
// instrumentation must patch it before they take their references. With neither telemetry variable set
// nothing of the SDK is loaded (start-up time matters). A bad value starts nothing here; loadConfig then
// refuses to start, naming the variable.
import { readTelemetryConfig } from '../config';

const { telemetry, problems } = readTelemetryConfig(process.env);
const wanted = !problems.length && Boolean(telemetry.applicationInsights || telemetry.otlp);
// Required lazily: the SDK and its exporters are loaded only when something will be exported.
const stopSdk: (() => Promise<void>) | undefined = wanted ? (require('./sdk') as typeof import('./sdk')).startSdk(telemetry) : undefined;

/** Exports what is still buffered, then stops the SDK; resolves at once when telemetry is off. */
export async function shutdownTelemetry(): Promise<void> {
  await stopSdk?.();
}

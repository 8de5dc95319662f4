// The Metrics port on OpenTelemetry's API. Without a started SDK the API hands out no-op instruments, so
// this costs nothing when telemetry is off. The names are agreed with the deployment's alerts: keep them.
import { metrics, trace, type Attributes } from '@opentelemetry/api';
import type { OutboxStats } from '../store/ports';
import type { Metrics, ReportOutcome, TurnOutcome } from './metrics';
import type { WritePriority } from '../graph/writePacer';

const meter = () => metrics.getMeter('assistdesk');

export class OtelMetrics implements Metrics {
  private readonly turns = meter().createCounter('assistdesk.turns', { description: 'Turns by kind and outcome' });
  private readonly graphCalls = meter().createCounter('assistdesk.graph.calls', { description: 'HTTP requests to Microsoft Graph' });
  private readonly graphDuration = meter().createHistogram('assistdesk.graph.duration', { unit: 'ms', description: 'Duration of HTTP requests to Microsoft Graph' });
  private readonly budgetWaits = meter().createCounter('assistdesk.budget.waits', { description: "Writes that waited for Intune's write budget" });
  private readonly budgetWaitDuration = meter().createHistogram('assistdesk.budget.wait_duration', { unit: 'ms', description: "Time writes waited for Intune's write budget" });
  private readonly reports = meter().createCounter('assistdesk.reports', { description: 'Report delivery attempts by outcome' });

  turn(kind: string, outcome: TurnOutcome): void {
    const span = trace.getActiveSpan();
    span?.updateName(`turn ${kind}`);
    span?.setAttributes({ 'assistdesk.turn.kind': kind, 'assistdesk.turn.outcome': outcome });
    this.turns.add(1, { kind, outcome });
  }

  graphCall(operation: string, status: string, durationMs: number): void {
    const attributes: Attributes = { operation, status };
    this.graphCalls.add(1, attributes);
    this.graphDuration.record(durationMs, attributes);
  }

  budgetWait(priority: WritePriority, durationMs: number): void {
    this.budgetWaits.add(1, { priority });
    this.budgetWaitDuration.record(durationMs, { priority });
  }

  report(outcome: ReportOutcome): void {
    this.reports.add(1, { outcome });
  }

  /** The outbox's depth and oldest message, asked of the store at each export (a failed ask reports nothing). */
  observeOutbox(read: () => Promise<OutboxStats>): void {
    const depth = meter().createObservableGauge('assistdesk.outbox.depth', { unit: '{message}', description: 'Reports waiting in the outbox' });
    const oldestAge = meter().createObservableGauge('assistdesk.outbox.oldest_age', { unit: 's', description: 'Age of the oldest report in the outbox' });
    meter().addBatchObservableCallback(async (result) => {
      const stats = await read().catch(() => undefined);
      if (!stats) return;
      result.observe(depth, stats.depth);
      result.observe(oldestAge, stats.oldestAgeSec);
    }, [depth, oldestAge]);
  }
}

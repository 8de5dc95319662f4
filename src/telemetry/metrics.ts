// What the product counts, as a port: the bot, the Graph client, the write pacer and the report delivery
// report here, and never see OpenTelemetry. The names they land under are in otelMetrics.ts.
import type { WritePriority } from '../graph/writePacer';

/** How a turn ended: answered, refused (tenant, group, identity), or failed (an error the technician was told of). */
export type TurnOutcome = 'ok' | 'refused' | 'failed';
/** What became of one delivery attempt of a queued report. */
export type ReportOutcome = 'delivered' | 'retried' | 'failed';

export interface Metrics {
  /** One turn of `kind` (a command kind or a card verb) ended so; the turn's span is named after the kind. */
  turn(kind: string, outcome: TurnOutcome): void;
  /** One HTTP request to Graph: its operation, the HTTP status (or `timeout` / `network`) and how long it took. */
  graphCall(operation: string, status: string, durationMs: number): void;
  /** A write waited this long for Intune's write budget before it could go. */
  budgetWait(priority: WritePriority, durationMs: number): void;
  report(outcome: ReportOutcome): void;
}

/** Counts nothing: for unit tests and tools that do not export telemetry. */
export const noMetrics: Metrics = {
  turn: () => undefined,
  graphCall: () => undefined,
  budgetWait: () => undefined,
  report: () => undefined,
};

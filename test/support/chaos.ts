// The chaos scenario of issue 3: many sessions submitted while Graph fails a share of report calls.
// Shared by `npm run chaos` (prints the figures) and the integration test (asserts them).
import { FAULTED, type RateFault } from '../emulators/faults';
import { filledInputs, startSession, type StartedSession } from './session';
import { waitFor } from './wait';
import type { World } from './world';

/**
 * What Graph does to a report call that meets a fault: answer 429 (with Retry-After) or 503, reset the
 * connection, or record the report and then lose the answer ('answerLost') or send it hangMs late ('hang').
 */
export type ChaosFault = 429 | 503 | 'reset' | 'answerLost' | 'hang';

export interface ChaosOptions {
  sessions: number;
  failureRate: number;
  timeoutMs: number;
  /** Kinds drawn for the failing share of report calls; default 429, 503 and reset. */
  faults?: ChaosFault[];
  /** How long a 'hang' holds a call (required with 'hang'). */
  hangMs?: number;
}

export interface ChaosFigures {
  submitted: number;
  delivered: number;
  duplicates: number;
  lost: number;
  /** Report calls that met an injected fault, of any kind. */
  faults: number;
  /** The same per kind: 429, 503 and reset calls failed; answerLost and hang calls recorded their report. */
  faultsByKind: Record<ChaosFault, number>;
  reportCalls: number;
  p50Ms: number;
  p99Ms: number;
  wallMs: number;
}

/** Runs `work` over `items` with at most `limit` at a time (a roster is never fired all at once). */
async function pooled<T, R>(items: T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) {
        const i = next++;
        results[i] = await work(items[i]);
      }
    }),
  );
  return results;
}

function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

const KINDS: ChaosFault[] = [429, 503, 'reset', 'answerLost', 'hang'];
/** What the Graph emulator records in `faulted` for each kind. */
const FAULTED_AS: Record<ChaosFault, number> = { 429: 429, 503: 503, reset: FAULTED.reset, answerLost: FAULTED.answerLost, hang: FAULTED.hang };
/** Calls on which Graph recorded the report (unless it refused the payload). */
const GRAPH_ACTED = new Set<number | undefined>([undefined, FAULTED.answerLost, FAULTED.hang]);

function rateFault(kind: ChaosFault, hangMs: number | undefined): RateFault {
  if (kind === 'reset') return 0;
  if (kind === 'answerLost') return { afterServing: 'reset' };
  if (kind !== 'hang') return kind;
  if (hangMs === undefined) throw new Error("the 'hang' fault needs hangMs");
  return { hangMs };
}

export async function runChaos(world: World, options: ChaosOptions): Promise<ChaosFigures> {
  const started = Date.now();
  const chat = world.chat();
  const devices = ['LAPTOP-42', 'DESK 7', "O'Brien-PC", 'Ноутбук-5', 'LOBBY-TABLET'];
  const sessions: StartedSession[] = await pooled([...Array(options.sessions).keys()], 8, (i) => startSession(world, chat, devices[i % devices.length]));

  const kinds = options.faults ?? [429, 503, 'reset'];
  world.graph.failRate('reportRemoteAssistance', options.failureRate, kinds.map((k) => rateFault(k, options.hangMs)), 7);
  const submittedAt = new Map<string, number>();
  await pooled(sessions, 8, async (s) => {
    submittedAt.set(s.sessionId, Date.now());
    const result = await s.click('submitReport', { sessionId: s.sessionId, ...filledInputs(chat) });
    if (result.status !== 200) throw new Error(`submit answered ${result.status}`);
  });

  const ids = new Set(sessions.map((s) => s.sessionId));
  const deliveredIds = () => new Set(world.graph.reports.map((r) => (r as { id: string }).id).filter((id) => ids.has(id)));
  await waitFor(() => deliveredIds().size === ids.size, options.timeoutMs, `${ids.size} deliveries`).catch(() => undefined);
  // Let stragglers (a duplicate in the making) arrive, and hung calls be served, before counting.
  await new Promise((r) => setTimeout(r, 2000));
  await world.graph.idle();

  const counts = new Map<string, number>();
  for (const r of world.graph.reports) counts.set((r as { id: string }).id, (counts.get((r as { id: string }).id) ?? 0) + 1);
  const calls = world.graph.requests.filter((r) => r.url.pathname.endsWith('/reportRemoteAssistance'));
  const acceptedAt = new Map<string, number>();
  for (const call of calls) {
    const id = (call.json as { reportingPayload?: { id?: string } } | undefined)?.reportingPayload?.id;
    // Accepted when Graph acted, which for a hung call is after the hang: the earliest such call counts.
    if (id && GRAPH_ACTED.has(call.faulted)) acceptedAt.set(id, Math.min(acceptedAt.get(id) ?? Infinity, call.servedAt ?? call.at));
  }
  const latencies = [...acceptedAt].map(([id, at]) => at - (submittedAt.get(id) ?? at)).sort((a, b) => a - b);
  const delivered = deliveredIds().size;
  return {
    submitted: ids.size,
    delivered,
    duplicates: [...counts.values()].reduce((sum, n) => sum + Math.max(0, n - 1), 0),
    lost: ids.size - delivered,
    faults: calls.filter((c) => c.faulted !== undefined).length,
    faultsByKind: Object.fromEntries(KINDS.map((k) => [k, calls.filter((c) => c.faulted === FAULTED_AS[k]).length])) as Record<ChaosFault, number>,
    reportCalls: calls.length,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    wallMs: Date.now() - started,
  };
}

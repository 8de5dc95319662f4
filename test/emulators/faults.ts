// Fault injection shared by the emulators: "the next n matching requests fail like this", plus a seeded
// random failure rate so chaos tests are reproducible. Besides failures that answer instead of serving
// (a status, a reset), two faults let the server act and spoil only the answer: it is lost, or it is late.

export interface FaultRule {
  method?: string;
  /** RegExp tested against the decoded pathname, or a case-insensitive substring of it. */
  path: RegExp | string;
  /** HTTP status to answer. Omitted or below 400 means "delay (delayMs) then serve normally". */
  status?: number;
  /** How many matching requests this rule answers (default 1; Infinity allowed). */
  times?: number;
  retryAfterSec?: number;
  /** Error code for the JSON body; each emulator picks a realistic default per status. */
  code?: string;
  /** Destroy the socket instead of answering (a connection reset). */
  reset?: boolean;
  delayMs?: number;
  /** Serve the request fully, then destroy the socket instead of answering: the server acted, the client sees a reset. */
  afterServing?: 'reset';
  /** Hold the request this long, then serve it; if the client left meanwhile, the answer goes nowhere. */
  hangMs?: number;
}

/** A fault as the emulators apply it: status is always set (below 400: serve the request). */
export type Fault = FaultRule & { status: number };

/** One entry of a failure rate: a status (0: connection reset), or a whole fault such as `{ hangMs: 75_000 }`. */
export type RateFault = number | Omit<FaultRule, 'method' | 'path' | 'times'>;

/** `RecordedRequest.faulted` for the faults that have no status of their own; others record their status. */
export const FAULTED = { reset: 0, answerLost: -1, hang: -2 } as const;

interface RateRule { path: RegExp | string; rate: number; faults: RateFault[] }

/** mulberry32: tiny seedable PRNG. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pathMatches(pattern: RegExp | string, pathname: string): boolean {
  return typeof pattern === 'string' ? pathname.toLowerCase().includes(pattern.toLowerCase()) : pattern.test(pathname);
}

export class FaultSet {
  private rules: Array<FaultRule & { left: number }> = [];
  private rates: RateRule[] = [];
  private random: () => number = prng(1);

  add(rule: FaultRule): void {
    this.rules.push({ ...rule, left: rule.times ?? 1 });
  }

  /** A fraction `rate` of matching requests meet a fault drawn from `faults` (a status; 0: connection reset). */
  addRate(path: RegExp | string, rate: number, faults: RateFault[], seed = 1): void {
    this.rates.push({ path, rate, faults });
    this.random = prng(seed);
  }

  clear(): void {
    this.rules = [];
    this.rates = [];
  }

  /** Consumes and returns the fault for this request, if any (first matching rule wins). */
  take(method: string, pathname: string): Fault | undefined {
    const rule = this.rules.find((r) => r.left > 0 && (!r.method || r.method.toUpperCase() === method) && pathMatches(r.path, pathname));
    if (rule) {
      rule.left--;
      return withStatus(rule);
    }
    for (const r of this.rates) {
      if (pathMatches(r.path, pathname) && this.random() < r.rate) {
        const drawn = r.faults[Math.floor(this.random() * r.faults.length)];
        if (typeof drawn !== 'number') return withStatus({ path: r.path, ...drawn });
        // 0 stands for a connection reset; a throttle says when to come back, as Intune does.
        return { path: r.path, status: drawn, reset: drawn === 0, retryAfterSec: drawn === 429 ? 1 : undefined };
      }
    }
    return undefined;
  }
}

function withStatus(rule: FaultRule): Fault {
  return { ...rule, status: rule.status ?? (rule.reset ? FAULTED.reset : 200) };
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

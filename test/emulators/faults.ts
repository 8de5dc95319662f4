// Fault injection shared by the emulators: "the next n matching requests fail like this", plus a seeded
// random failure rate so chaos tests are reproducible.

export interface FaultRule {
  method?: string;
  /** RegExp tested against the decoded pathname, or a case-insensitive substring of it. */
  path: RegExp | string;
  /** HTTP status to answer. Below 400 means "delay (delayMs) then serve normally". */
  status: number;
  /** How many matching requests this rule answers (default 1; Infinity allowed). */
  times?: number;
  retryAfterSec?: number;
  /** Error code for the JSON body; each emulator picks a realistic default per status. */
  code?: string;
  /** Destroy the socket instead of answering (a connection reset). */
  reset?: boolean;
  delayMs?: number;
}

interface RateRule { path: RegExp | string; rate: number; statuses: number[] }

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

  /** A fraction `rate` of matching requests fail with a status drawn from `statuses` (0: connection reset). */
  addRate(path: RegExp | string, rate: number, statuses: number[], seed = 1): void {
    this.rates.push({ path, rate, statuses });
    this.random = prng(seed);
  }

  clear(): void {
    this.rules = [];
    this.rates = [];
  }

  /** Consumes and returns the fault for this request, if any (first matching rule wins). */
  take(method: string, pathname: string): FaultRule | undefined {
    const rule = this.rules.find((r) => r.left > 0 && (!r.method || r.method.toUpperCase() === method) && pathMatches(r.path, pathname));
    if (rule) {
      rule.left--;
      return rule;
    }
    for (const r of this.rates) {
      if (pathMatches(r.path, pathname) && this.random() < r.rate) {
        const status = r.statuses[Math.floor(this.random() * r.statuses.length)];
        // 0 stands for a connection reset; a throttle says when to come back, as Intune does.
        return { path: r.path, status, reset: status === 0, retryAfterSec: status === 429 ? 1 : undefined };
      }
    }
    return undefined;
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

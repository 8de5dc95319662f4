// A span for every store write, whichever engine: a decorator over the ports, so neither engine knows of
// tracing. SQLite answers synchronously inside its promise, so these spans are made by hand rather than
// by an instrumentation. Reads, and the worker's poll of the outbox (every second), get no span.
import { SpanKind } from '@opentelemetry/api';
import { inSpan } from '../telemetry/spans';
import type { Store } from './ports';

type Methods<T> = { [K in keyof T]: T[K] extends (...args: never[]) => unknown ? K : never }[keyof T] & string;

/** The writes of each port. */
const WRITES: { [P in 'sessions' | 'outbox' | 'once' | 'signIns' | 'writeBudget']: readonly Methods<Required<Store[P]>>[] } = {
  sessions: ['create', 'replace', 'delete', 'deleteCreatedBefore', 'indexEarlier'],
  outbox: ['enqueue', 'complete', 'retryLater'],
  once: ['claim', 'release'],
  signIns: ['save', 'take'],
  writeBudget: ['take', 'settle'],
};

export function traceStore(store: Store): Store {
  const system = store.engine === 'sqlite' ? 'sqlite' : 'azure.storage';
  const traced = <T extends object>(port: string, target: T, writes: readonly string[]): T =>
    new Proxy(target, {
      get(object, key) {
        const value = Reflect.get(object, key, object);
        if (typeof value !== 'function') return value;
        if (typeof key !== 'string' || !writes.includes(key)) return value.bind(object);
        return (...args: unknown[]) => writeSpan(`store ${port}.${key}`, system, port, key, () => value.apply(object, args));
      },
    });
  return {
    ...store,
    sessions: traced('sessions', store.sessions, WRITES.sessions),
    outbox: traced('outbox', store.outbox, WRITES.outbox),
    once: traced('once', store.once, WRITES.once),
    signIns: traced('signIns', store.signIns, WRITES.signIns),
    writeBudget: traced('writeBudget', store.writeBudget, WRITES.writeBudget),
  };
}

function writeSpan(name: string, system: string, port: string, method: string, work: () => Promise<unknown>): Promise<unknown> {
  // A conflict is an answer (someone else wrote first), not a fault of the store; still marked, to be seen.
  return inSpan(name, work, { 'db.system.name': system, 'db.collection.name': port, 'db.operation.name': method }, SpanKind.CLIENT);
}

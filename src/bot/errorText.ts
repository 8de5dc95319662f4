import { GraphFailure } from '../graph/graphErrors';
import { BudgetExhausted } from '../graph/writePacer';
import type { MessageKey, Messages } from '../i18n/messages';
import { StoreUnavailableError } from '../store/ports';

/** A friendly, specific sentence for a failure we understand; undefined for one we don't (a bug). */
export function describeFailure(m: Messages, error: unknown): string | undefined {
  if (error instanceof StoreUnavailableError) return m.t(error.reason === 'full' ? 'store.full' : 'store.unavailable');
  // Intune's write budget, from a click that cannot wait (Take it): when to try again.
  if (error instanceof BudgetExhausted) return m.t('graph.busy', { seconds: Math.max(1, Math.ceil((error.at - Date.now()) / 1000)) });
  if (!(error instanceof GraphFailure)) return undefined;
  switch (error.kind) {
    case 'forbidden':
      return m.t('graph.forbidden', { permission: error.permission });
    case 'busy':
      return m.t('graph.busy', { seconds: Math.max(1, error.retryAfterSec ?? 30) });
    case 'notFound': {
      const specific = `graph.notFound.${error.operation}` as MessageKey;
      const text = m.t(specific);
      return text === specific ? m.t('graph.notFound') : text;
    }
    case 'badRequest':
      return m.t('graph.badRequest', { code: error.code ?? String(error.status ?? '') });
    default:
      return m.t(`graph.${error.kind}`);
  }
}

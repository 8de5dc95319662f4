import type { TokenCredential } from '@azure/identity';
import type { Logger } from '../log';
import { storageTarget, type StorageSettings } from './azure/storageTarget';
import { importLegacyAzurite } from './legacyImport';
import type { Store } from './ports';
import { openSqliteStore } from './sqlite/sqliteStore';

export interface StoreSettings extends StorageSettings {
  /** The embedded database's folder. */
  dataDir: string;
  /** Cap on the embedded database's size. */
  maxSizeMb?: number;
}

/**
 * Azure Storage when an account is configured (several instances), else the SQLite file in `dataDir`. An
 * account URL signs in with `credential` when given (the managed identity), else with DefaultAzureCredential.
 */
export async function openStore(settings: StoreSettings, log: Logger, credential?: TokenCredential): Promise<Store> {
  const target = storageTarget(settings);
  if (target) {
    try {
      // Loaded only here: the Azure SDKs take most of a second to load, which a SQLite start need not pay.
      const { openAzureStore } = await import('./azure/azureStore');
      return await openAzureStore(target, { credential, log: (message) => log.warn(message) });
    } catch (error) {
      const source = target.kind === 'connectionString' ? 'AZURE_STORAGE_CONNECTION_STRING' : 'AZURE_STORAGE_ACCOUNT_URL';
      throw new Error(`Azure Storage could not be reached through ${source}: ${(error as Error).cause ?? (error as Error).message}`);
    }
  }
  const store = openSqliteStore(settings.dataDir, { maxSizeMb: settings.maxSizeMb, onFault: (message, code) => log.error({ code }, message) });
  try {
    await importLegacyAzurite(settings.dataDir, store, (message) => log.info(message));
  } catch (error) {
    await store.close();
    throw error;
  }
  log.info({ file: store.file }, 'no Azure Storage configured: sessions and reports are kept in the embedded SQLite database');
  return store;
}

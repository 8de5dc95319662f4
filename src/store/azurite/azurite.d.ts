// Azurite ships no type declarations; these cover the few internals embeddedAzurite.ts uses.
declare module 'azurite/dist/src/common/ServerBase' {
  export default abstract class ServerBase {
    start(): Promise<void>;
    close(): Promise<void>;
    getHttpServerAddress(): string;
  }
}

declare module 'azurite/dist/src/blob/BlobServer' {
  import ServerBase from 'azurite/dist/src/common/ServerBase';
  import BlobConfiguration from 'azurite/dist/src/blob/BlobConfiguration';
  export default class BlobServer extends ServerBase {
    constructor(config: BlobConfiguration);
  }
}

declare module 'azurite/dist/src/queue/QueueServer' {
  import ServerBase from 'azurite/dist/src/common/ServerBase';
  import QueueConfiguration from 'azurite/dist/src/queue/QueueConfiguration';
  export default class QueueServer extends ServerBase {
    constructor(config: QueueConfiguration);
  }
}

declare interface AzuritePersistenceLocation {
  locationId: string;
  locationPath: string;
  maxConcurrency: number;
}

declare module 'azurite/dist/src/blob/BlobConfiguration' {
  export default class BlobConfiguration {
    constructor(
      host: string, port: number, keepAliveTimeout: number, metadataDBPath: string, extentDBPath: string,
      persistencePathArray: AzuritePersistenceLocation[], enableAccessLog: boolean, accessLogWriteStream: undefined,
      enableDebugLog: boolean, debugLogFilePath: undefined, loose: boolean, skipApiVersionCheck: boolean,
    );
  }
}

declare module 'azurite/dist/src/queue/QueueConfiguration' {
  export default class QueueConfiguration {
    constructor(
      host: string, port: number, keepAliveTimeout: number, metadataDBPath: string, extentDBPath: string,
      persistencePathArray: AzuritePersistenceLocation[], enableAccessLog: boolean, accessLogWriteStream: undefined,
      enableDebugLog: boolean, debugLogFilePath: undefined, loose: boolean, skipApiVersionCheck: boolean,
    );
  }
}

declare module 'azurite/dist/src/common/utils/constants' {
  export const EMULATOR_ACCOUNT_NAME: string;
  export const EMULATOR_ACCOUNT_KEY: Buffer;
}

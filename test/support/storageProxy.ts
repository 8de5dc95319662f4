// Azure Storage behind loopback TCP proxies, so a test can take storage away and bring it back (even a
// restarted Azurite on new ports) while the bot keeps the one connection string it started with.
import net from 'node:net';
import { once } from 'node:events';

class TcpProxy {
  private readonly sockets = new Set<net.Socket>();
  private readonly server: net.Server;
  private targetPort = 0;
  port = 0;

  constructor() {
    this.server = net.createServer((client) => {
      if (!this.targetPort) return client.destroy();
      const upstream = net.connect(this.targetPort, '127.0.0.1');
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => s.destroy());
      }
      client.pipe(upstream).pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
  }

  async listen(): Promise<void> {
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    this.port = (this.server.address() as net.AddressInfo).port;
  }

  connect(targetPort: number): void {
    this.targetPort = targetPort;
  }

  /** Refuses new connections and cuts the open ones, as a stopped storage account would. */
  cut(): void {
    this.targetPort = 0;
    for (const s of this.sockets) s.destroy();
  }

  async close(): Promise<void> {
    this.cut();
    this.server.close();
  }
}

const portOf = (connectionString: string, service: 'Blob' | 'Queue') => {
  const match = connectionString.match(new RegExp(`${service}Endpoint=https?://[^:/;]+:(\\d+)`, 'i'));
  if (!match) throw new Error(`no ${service}Endpoint port in the connection string`);
  return Number(match[1]);
};

export class StorageProxy {
  private readonly blob = new TcpProxy();
  private readonly queue = new TcpProxy();
  private upstream = '';

  async start(upstreamConnectionString: string): Promise<void> {
    await Promise.all([this.blob.listen(), this.queue.listen()]);
    this.pointAt(upstreamConnectionString);
  }

  /** The connection string the bot uses: the proxies' ports in the upstream's string. */
  get connectionString(): string {
    return this.upstream
      .replace(/(BlobEndpoint=https?:\/\/[^:/;]+:)\d+/i, `$1${this.blob.port}`)
      .replace(/(QueueEndpoint=https?:\/\/[^:/;]+:)\d+/i, `$1${this.queue.port}`);
  }

  pointAt(upstreamConnectionString: string): void {
    this.upstream = upstreamConnectionString;
    this.blob.connect(portOf(upstreamConnectionString, 'Blob'));
    this.queue.connect(portOf(upstreamConnectionString, 'Queue'));
  }

  cut(): void {
    this.blob.cut();
    this.queue.cut();
  }

  async close(): Promise<void> {
    await Promise.all([this.blob.close(), this.queue.close()]);
  }
}

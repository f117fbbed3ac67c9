import { connect as connectTcp, createServer, type Server, type Socket } from 'node:net';

// A network partition between Ferry and one server, for one client only: Ferry connects to the proxy's port, the test
// cuts it (every connection dropped, new ones refused) and restores it, while other clients reach the server directly.

/** A TCP forwarder to the target that can be cut (connections dropped, new ones refused) and restored. */
export class TcpProxy {
  private readonly sockets = new Set<Socket>();
  private readonly server: Server;
  port = 0;

  constructor(
    private readonly host: string,
    private readonly targetPort: number,
  ) {
    this.server = createServer((client) => {
      const upstream = connectTcp(this.targetPort, this.host);
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.on('close', () => this.sockets.delete(socket));
        socket.on('error', () => socket.destroy());
      }
      client.pipe(upstream).pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
  }

  async listen(port = 0): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => resolve());
    });
    const address = this.server.address();
    if (address === null || typeof address === 'string') throw new Error('proxy has no port');
    this.port = address.port;
  }

  /** Drops every connection and refuses new ones (ECONNREFUSED) until `restore`. */
  async cut(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    await closed;
  }

  restore(): Promise<void> {
    return this.listen(this.port);
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    if (this.server.listening) await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

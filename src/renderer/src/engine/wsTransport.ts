import { toDisposable } from '../../../shared/lifecycle';
import { createMessagePortClientTransport, type IMessagePort, type ITransport } from '../../../shared/rpc';

/**
 * The web host's transport. The token comes from the URL the host printed; without it the host refuses the
 * socket. Messages sent before the socket opens are queued rather than lost.
 */
export function createWebSocketTransport(location: Location, onClose: () => void): ITransport {
  const token = new URLSearchParams(location.search).get('token') ?? '';
  const socket = new WebSocket(`ws://${location.host}/rpc?token=${encodeURIComponent(token)}`);
  const queue: string[] = [];
  socket.addEventListener('open', () => {
    for (const text of queue.splice(0)) socket.send(text);
  });
  socket.addEventListener('close', onClose);
  const port: IMessagePort = {
    send(text) {
      if (socket.readyState === WebSocket.OPEN) socket.send(text);
      else if (socket.readyState === WebSocket.CONNECTING) queue.push(text);
    },
    onMessage(listener) {
      const handler = (event: MessageEvent): void => {
        if (typeof event.data === 'string') listener(event.data);
      };
      socket.addEventListener('message', handler);
      return toDisposable(() => socket.removeEventListener('message', handler));
    },
    onClose(listener) {
      socket.addEventListener('close', listener);
      return toDisposable(() => socket.removeEventListener('close', listener));
    },
  };
  return createMessagePortClientTransport(port);
}

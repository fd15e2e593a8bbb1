import { WebSocket } from 'ws';
import { credentialHeaders } from '../../gateway/upstream/upstream-socket.ts';
import type { UserRecord } from '../../gateway/index.ts';

/** Connections another application holds at the broker with the same client code. */
export interface HeldSlots {
  /** How many the broker accepted. */
  held: number;
  release(): Promise<void>;
}

/**
 * Plays "another application of the same user": opens up to `slots` SmartAPI connections with the user's
 * credentials and keeps them, subscribing to nothing, until `release`. A refused one is simply not held.
 */
export async function holdBrokerSlots(brokerUrl: string, user: UserRecord, slots: number): Promise<HeldSlots> {
  const sockets = await Promise.all(
    Array.from({ length: slots }, () => {
      const ws = new WebSocket(brokerUrl, { headers: credentialHeaders(user), perMessageDeflate: false });
      ws.on('error', () => undefined);
      return new Promise<WebSocket | undefined>((resolve) => {
        ws.once('open', () => resolve(ws));
        ws.once('close', () => resolve(undefined));
      });
    }),
  );
  const open = sockets.filter((ws): ws is WebSocket => ws !== undefined);
  return {
    held: open.length,
    release: async () => {
      await Promise.all(
        open.map(
          (ws) =>
            new Promise<void>((resolve) => {
              if (ws.readyState === WebSocket.CLOSED) return resolve();
              ws.once('close', () => resolve());
              ws.close();
            }),
        ),
      );
    },
  };
}

import { MessageSeal } from './message-seal.ts';

/** The pub/sub side of an ioredis client: one dedicated connection, resubscribed by ioredis on reconnect. */
export interface SubscriberClient {
  subscribe(...channels: string[]): Promise<unknown>;
  unsubscribe(...channels: string[]): Promise<unknown>;
  on(event: 'messageBuffer', listener: (channel: Buffer, message: Buffer) => void): unknown;
  on(event: 'ready', listener: () => void): unknown;
}

export type ChannelHandler = (message: Buffer) => void;

/**
 * Routes messages of one subscriber connection to a handler per channel. Pub/sub rather than streams:
 * a tick that arrives late is worth less than none, there is no backlog to replay after a gap, and
 * pub/sub adds no per-message write to Redis (docs/cluster.md#redis-channels).
 */
export class ChannelRouter {
  private readonly handlers = new Map<string, ChannelHandler>();

  constructor(
    private readonly subscriber: SubscriberClient,
    /** Checks each message's MAC (with `--cluster-secret`); handlers only see what passed. */
    private readonly seal: MessageSeal = new MessageSeal(undefined),
    /** A message on `channel` failed its MAC: forged, or sealed with another secret. It was dropped. */
    private readonly onForged: (channel: string) => void = () => undefined,
  ) {
    subscriber.on('messageBuffer', (channelName, sealed) => {
      const channel = channelName.toString();
      const handler = this.handlers.get(channel);
      if (!handler) return;
      const message = this.seal.open(channel, sealed);
      if (message === undefined) this.onForged(channel);
      else handler(message);
    });
    // ioredis resubscribes only channels whose SUBSCRIBE succeeded; one sent while Redis was down failed.
    subscriber.on('ready', () => {
      if (this.handlers.size > 0) void subscriber.subscribe(...this.handlers.keys()).catch(() => undefined);
    });
  }

  /** Subscribes now, and again whenever the connection is ready after an outage. */
  follow(channel: string, handler: ChannelHandler): () => void {
    this.handlers.set(channel, handler);
    void this.subscriber.subscribe(channel).catch(() => undefined);
    return () => {
      if (this.handlers.get(channel) !== handler) return;
      this.handlers.delete(channel);
      void this.subscriber.unsubscribe(channel).catch(() => undefined);
    };
  }
}

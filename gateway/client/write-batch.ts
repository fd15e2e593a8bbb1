import type { Writable } from 'node:stream';

/**
 * Coalesces the market data a burst of upstream ticks sends to each client into one socket write.
 *
 * AngelOne delivers a round of ticks as many small frames that arrive in one TCP read, and the upstream
 * socket emits them synchronously, one after another. Sent one by one, every market_data frame costs its
 * client a `writev` syscall: at 100k messages/s the gateway spent almost half its CPU in `writev`. The
 * first frame of a burst corks the client's socket; one `process.nextTick` after the burst uncorks every
 * socket corked meanwhile, so each client gets one write per burst. Corked bytes still count in
 * `bufferedAmount`, so the slow-client caps see them.
 */
export class WriteBatch {
  private corked: Writable[] = [];
  private flushScheduled = false;

  /** Call before writing to `socket` on the tick path; the socket is uncorked at the end of this tick. */
  hold(socket: Writable): void {
    // ws corks around each frame and uncorks before send() returns, so outside a send a corked socket is ours.
    if (socket.writableCorked > 0) return;
    socket.cork();
    this.corked.push(socket);
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      process.nextTick(this.flush);
    }
  }

  private readonly flush = (): void => {
    this.flushScheduled = false;
    const sockets = this.corked;
    this.corked = [];
    for (const socket of sockets) socket.uncork();
  };
}

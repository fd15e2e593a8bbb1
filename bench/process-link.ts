import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';

/**
 * Request/response over a forked child's IPC channel. Benchmarks put the gateway, the mock broker and the
 * clients in their own processes so none of them steals another's event loop; this is how the parent
 * drives them.
 */

interface RequestMessage {
  id: number;
  type: string;
  payload: unknown;
}

type ReplyMessage = { id: number; ok: true; result: unknown } | { id: number; ok: false; error: string };

export type RequestHandlers = Record<string, (payload: never) => unknown>;

/** The parent's handle on one benchmark process. */
export interface BenchProcess {
  readonly pid: number;
  request<T>(type: string, payload?: unknown): Promise<T>;
  /** Asks the child to stop, and kills it if it has not exited within `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

const STOP_REQUEST = 'stop';
const DEFAULT_STOP_GRACE_MS = 3_000;

/** Forks `script` (a .ts file, run through tsx) and returns its request handle. */
export function spawnBenchProcess(script: URL, execArgv: string[] = []): BenchProcess {
  const child: ChildProcess = fork(script.pathname, [], {
    execArgv: ['--import', 'tsx', ...execArgv],
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    serialization: 'advanced',
  });
  let nextId = 1;
  let exited = false;
  const pending = new Map<number, { resolve(value: unknown): void; reject(err: Error): void }>();
  child.on('message', (message: ReplyMessage) => {
    const waiter = pending.get(message.id);
    if (!waiter) return;
    pending.delete(message.id);
    if (message.ok) waiter.resolve(message.result);
    else waiter.reject(new Error(message.error));
  });
  child.on('exit', (code, signal) => {
    exited = true;
    for (const waiter of pending.values()) waiter.reject(new Error(`${script.pathname} exited (${signal ?? code})`));
    pending.clear();
  });
  const request = <T>(type: string, payload?: unknown): Promise<T> => {
    if (exited) return Promise.reject(new Error(`${script.pathname} is not running`));
    const id = nextId++;
    return new Promise<T>((resolve, reject) => {
      pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      child.send({ id, type, payload } satisfies RequestMessage);
    });
  };
  return {
    pid: child.pid ?? -1,
    request,
    async stop(graceMs = DEFAULT_STOP_GRACE_MS) {
      if (exited) return;
      const gone = once(child, 'exit');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      request(STOP_REQUEST).catch(() => undefined);
      await gone;
      clearTimeout(timer);
    },
  };
}

/**
 * The child's side: answers each request with its handler's result. `stop` runs the optional `onStop`
 * handler, then exits the process.
 */
export function serveRequests(handlers: RequestHandlers, onStop?: () => Promise<void>): void {
  if (!process.send) throw new Error('a benchmark process must be started by spawnBenchProcess (no IPC channel)');
  const reply = (message: ReplyMessage): void => {
    process.send?.(message);
  };
  process.on('message', (message: RequestMessage) => {
    if (message.type === STOP_REQUEST) {
      void (onStop?.() ?? Promise.resolve()).finally(() => process.exit(0));
      return;
    }
    const handler = handlers[message.type];
    if (!handler) {
      reply({ id: message.id, ok: false, error: `unknown request ${message.type}` });
      return;
    }
    Promise.resolve()
      .then(() => handler(message.payload as never))
      .then(
        (result) => reply({ id: message.id, ok: true, result }),
        (err: Error) => reply({ id: message.id, ok: false, error: err.stack ?? String(err) }),
      );
  });
  process.on('disconnect', () => process.exit(0));
}

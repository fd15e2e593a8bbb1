import { spawn, type ChildProcess } from 'node:child_process';
import { STORMCHECK_BIN } from './run-stormcheck.ts';

const READY = /clients (ws:\/\/\S+), admin (http:\/\/\S+) /;
const START_DEADLINE_MS = 20_000;

/**
 * One `stormcheck gateway --cluster …` in its own process, as an operator would run it: ports 0, JSON
 * log lines on stdout kept for assertions, the URLs read from its start-up line on stderr.
 */
export class GatewayProcess {
  readonly logs: Record<string, any>[] = [];
  url = '';
  adminUrl = '';
  private stderr = '';
  private partial = '';
  readonly exited: Promise<number | null>;

  private constructor(
    readonly id: string,
    private readonly child: ChildProcess,
  ) {
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      const lines = (this.partial + chunk).split('\n');
      this.partial = lines.pop()!;
      for (const line of lines) if (line.startsWith('{')) this.logs.push(JSON.parse(line));
    });
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (this.stderr += chunk));
  }

  static async start(id: string, args: string[]): Promise<GatewayProcess> {
    const child = spawn(process.execPath, [STORMCHECK_BIN, 'gateway', '--port', '0', '--admin-port', '0', '--gateway-id', id, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const gateway = new GatewayProcess(id, child);
    const deadline = Date.now() + START_DEADLINE_MS;
    for (;;) {
      const ready = READY.exec(gateway.stderr);
      if (ready) {
        gateway.url = ready[1]!.replace(/,$/, '');
        gateway.adminUrl = ready[2]!;
        return gateway;
      }
      if (child.exitCode !== null || Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`gateway ${id} did not start: ${gateway.stderr}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  get exitedAlready(): boolean {
    return this.child.exitCode !== null || this.child.signalCode !== null;
  }

  signal(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }

  async health(): Promise<Record<string, any>> {
    const res = await fetch(`${this.adminUrl}/health`);
    return (await res.json()) as Record<string, any>;
  }

  /** SIGTERM, and SIGKILL if it has not exited a few seconds later. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill('SIGCONT');
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5_000);
    await this.exited;
    clearTimeout(timer);
  }
}

/** The listen() errors a user fixes by choosing another address or port, each with its plain reason. */
const REASONS = { EADDRINUSE: 'port already in use', EADDRNOTAVAIL: 'address not available here', EACCES: 'permission denied' } as const;

export type ListenFailureCode = keyof typeof REASONS;

/** A listen() error, which Node gives the address and port it tried. */
export type ListenFailure = NodeJS.ErrnoException & { code: ListenFailureCode; address?: string; port?: number };

export function isListenFailure(err: unknown): err is ListenFailure {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' && Object.hasOwn(REASONS, code);
}

/**
 * The one line every command prints when it cannot listen: where, why, and which `options` to change.
 * A refused port below 1024 (443 above all, the port an unmodified OpenAlgo dials) also gets the two
 * ways round it: the command's own `unprivilegedPort` with a loopback forward, or the capability.
 */
export function listenFailureMessage(code: ListenFailureCode, address: string, port: number, options: string, unprivilegedPort: number): string {
  const at = `cannot listen on ${address}:${port}`;
  if (code === 'EACCES' && port > 0 && port < 1024) {
    return (
      `${at} (EACCES: ports below 1024 need privileges); pick another ${options}: --port ${unprivilegedPort} with a forward from ${port} ` +
      `(sudo iptables -t nat -A OUTPUT -p tcp -d 127.0.0.1 --dport ${port} -j REDIRECT --to-ports ${unprivilegedPort}), ` +
      `or grant node the capability (sudo setcap cap_net_bind_service=+ep "$(readlink -f "$(command -v node)")")`
    );
  }
  return `${at} (${code}: ${REASONS[code]}); pick another ${options}`;
}

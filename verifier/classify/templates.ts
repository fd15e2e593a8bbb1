/**
 * The message templates OpenAlgo (its 2025 and 2026 versions), the SmartAPI stack and the reference
 * gateway log about adapters and upstream connections (SPEC §6 and §7), each mapped to an event kind.
 * Order matters: the first template that matches a message wins.
 */
export const TEMPLATES = [
  // 2026 logs this for every client: it builds a thin wrapper; the next line says created or reused.
  { kind: 'wrapper', re: /Creating pooled adapter for broker: (?<broker>\w+)/ },
  // A pool growing past 1000 symbols: expected, within its budget.
  { kind: 'pool-connection', re: /\[POOL\] Creating NEW connection (?<index>\d+)\/(?<max>\d+) for (?<broker>[A-Za-z]+)/ },
  { kind: 'create', re: /Creating NEW (?<broker>\w+) adapter for user (?<user>[^\s,;:]+)/ },
  { kind: 'create', re: /Creating (?:single )?adapter for broker: (?<broker>\w+)/ },
  { kind: 'create', re: /Created new connection pool for (?<broker>[A-Za-z]+)_(?<user>[^\s:,;]+)/ },
  { kind: 'instance-init', re: /BaseBrokerWebSocketAdapter initializing/ },
  { kind: 'reuse', re: /Reusing existing pool for (?<broker>[A-Za-z]+)_(?<user>[^\s:,;]+)/ },
  { kind: 'reuse', re: /Reusing existing (?<broker>\w+) adapter for user (?<user>[^\s,;:]+)/ },
  { kind: 'remove', re: /Removed (?<broker>\w+) adapter for user (?<user>[^\s,;:]+)/ },
  { kind: 'active', re: /Active (?<broker>\w+) adapters: (?<count>\d+)/ },
  { kind: 'attempt', re: /Connecting to (?<broker>\w+) WebSocket \(attempt (?<attempt>\d+)\)/ },
  { kind: 'connected', re: /Connected to (?<broker>\w+) WebSocket/ },
  { kind: 'closed', re: /(?<broker>\w+) WebSocket connection closed/ },
  { kind: 'exhausted', re: /Max reconnection attempts(?: \(\d+\))? reached/ },
  {
    kind: 'teardown',
    re: /Last client for user (?<user>[^\s,;:]+) disconnected\. Disconnecting (?<broker>\w+) adapter/,
  },
  { kind: 'invalidated', re: /Invalidated (?<count>\d+) cached pool\(s\) for user=(?<user>[^\s,;:]+)/ },
  // websocket-client's own line (module `_logging`) and the adapter's error line.
  { kind: 'refused', re: /Handshake status 429\b|Connection Limit Exceeded/ },
  { kind: 'refused', re: /(?<broker>\w+) WebSocket error:.*\b429\b/ },
  // REST throttling: AngelOne answers 429, or 403 "Access denied because of exceeding access rate".
  { kind: 'rest-rate-limit', re: /exceeding access rate/ },
  { kind: 'rest-rate-limit', re: /HTTP\/[\d.]+"? 429\b|\b429 Too Many Requests|status(?: code)?[:= ]+429\b/i },
  {
    kind: 'auth-failure',
    re: /Handshake status 40[13]\b|WebSocket error:.*\b40[13]\b|HTTP\/[\d.]+"? 40[13]\b|status(?: code)?[:= ]+40[13]\b|\b40[13] (?:Unauthorized|Forbidden)/i,
  },
] as const;

export type TemplateKind = (typeof TEMPLATES)[number]['kind'];

/**
 * Byte strings of which every template contains at least one; a line holding none of them cannot be
 * an event, so the scanner looks for these natively and parses only the lines around hits.
 * Chosen to start with characters that are rare in log text: the native search skips on the first byte.
 */
export const CANDIDATE_KEYWORDS = [
  'Creat',
  'BaseBrokerWebSocketAdapter',
  'Reusing',
  'Removed',
  'Active',
  'Connect',
  'WebSocket connection closed',
  'Max reconnection',
  'Last client',
  'validated',
  '429',
  '401',
  '403',
  'xceed',
] as const;

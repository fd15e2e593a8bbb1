/**
 * The message templates OpenAlgo (its 2025 and 2026 versions), the SmartAPI stack and the reference
 * gateway log about adapters and upstream connections (SPEC §6 and §7), each mapped to an event kind.
 * Order matters: the first template that matches a message wins. `needle` is a literal every match
 * contains (empty: none), tested first because most candidate lines match no template.
 */
export const TEMPLATES = [
  // 2026 logs this for every client: it builds a thin wrapper; the next line says created or reused.
  { kind: 'wrapper', needle: 'Creating pooled', re: /Creating pooled adapter for broker: (?<broker>\w+)/ },
  // A pool growing past 1000 symbols: expected, within its budget.
  { kind: 'pool-connection', needle: '[POOL] Creating NEW', re: /\[POOL\] Creating NEW connection (?<index>\d+)\/(?<max>\d+) for (?<broker>[A-Za-z]+)/ },
  { kind: 'create', needle: 'Creating NEW', re: /Creating NEW (?<broker>\w+) adapter for user (?<user>[^\s,;:]+)/ },
  { kind: 'create', needle: 'adapter for broker', re: /Creating (?:single )?adapter for broker: (?<broker>\w+)/ },
  { kind: 'create', needle: 'Created new connection pool', re: /Created new connection pool for (?<broker>[A-Za-z]+)_(?<user>[^\s:,;]+)/ },
  { kind: 'instance-init', needle: 'BaseBrokerWebSocketAdapter initializing', re: /BaseBrokerWebSocketAdapter initializing/ },
  { kind: 'reuse', needle: 'Reusing existing pool', re: /Reusing existing pool for (?<broker>[A-Za-z]+)_(?<user>[^\s:,;]+)/ },
  { kind: 'reuse', needle: 'Reusing existing', re: /Reusing existing (?<broker>\w+) adapter for user (?<user>[^\s,;:]+)/ },
  { kind: 'remove', needle: 'Removed', re: /Removed (?<broker>\w+) adapter for user (?<user>[^\s,;:]+)/ },
  { kind: 'active', needle: 'Active', re: /Active (?<broker>\w+) adapters: (?<count>\d+)/ },
  { kind: 'attempt', needle: 'Connecting to', re: /Connecting to (?<broker>\w+) WebSocket \(attempt (?<attempt>\d+)\)/ },
  { kind: 'connected', needle: 'Connected to', re: /Connected to (?<broker>\w+) WebSocket/ },
  { kind: 'closed', needle: 'WebSocket connection closed', re: /(?<broker>\w+) WebSocket connection closed/ },
  { kind: 'exhausted', needle: 'Max reconnection attempts', re: /Max reconnection attempts(?: \(\d+\))? reached/ },
  {
    kind: 'teardown',
    needle: 'Last client for user',
    re: /Last client for user (?<user>[^\s,;:]+) disconnected\. Disconnecting (?<broker>\w+) adapter/,
  },
  { kind: 'invalidated', needle: 'cached pool', re: /Invalidated (?<count>\d+) cached pool\(s\) for user=(?<user>[^\s,;:]+)/ },
  // websocket-client's own line (module `_logging`) and the adapter's error line.
  { kind: 'refused', needle: '', re: /Handshake status 429\b|Connection Limit Exceeded/ },
  { kind: 'refused', needle: 'WebSocket error:', re: /(?<broker>\w+) WebSocket error:.*\b429\b/ },
  // REST throttling: AngelOne answers 429, or 403 "Access denied because of exceeding access rate".
  { kind: 'rest-rate-limit', needle: 'exceeding access rate', re: /exceeding access rate/ },
  { kind: 'rest-rate-limit', needle: '429', re: /HTTP\/[\d.]+"? 429\b|\b429 Too Many Requests|status(?: code)?[:= ]+429\b/i },
  {
    kind: 'auth-failure',
    needle: '40',
    re: /Handshake status 40[13]\b|WebSocket error:[^\n]*\b40[13]\b|HTTP\/[\d.]+"? 40[13]\b|[Ss]tatus(?: code)?[:= ]+40[13]\b|\b40[13] (?:Unauthorized|Forbidden|Client Error)/,
  },
] as const;

export type TemplateKind = (typeof TEMPLATES)[number]['kind'];

/**
 * Byte strings of which every template contains at least one; a line holding none of them cannot be
 * an event, so the scanner looks for these natively and parses only the lines around hits.
 * Native search skips ahead on a needle's first byte, so each starts with a byte that is rare in log
 * text and is short (longer needles switch to a slower search): `WebSocket` covers the connection
 * lines and `BaseBrokerWebSocketAdapter`, `xceed` covers `Connection Limit Exceeded` and `exceeding
 * access rate`, `Unauth`/`Forbid` the 401/403 reason phrases.
 */
export const CANDIDATE_KEYWORDS = [
  'Creat',
  'Reusi',
  'Remov',
  'Activ',
  'WebSocket',
  'Max re',
  'Last c',
  'valida',
  '429',
  'Unauth',
  'Forbid',
  'xceed',
] as const;

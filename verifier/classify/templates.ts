/** What a template's capture groups hold, in order. */
export type TemplateField = 'broker' | 'user' | 'count' | 'attempt';

/**
 * The message templates OpenAlgo (its 2025 and 2026 versions), the SmartAPI stack and the reference
 * gateway log about adapters and upstream connections (docs/architecture.md#log-templates), each mapped to an
 * event kind. Order matters: the first template that matches a message wins. `needle` is a literal every
 * match contains (empty: none), tested first because most candidate lines match no template. `fields` names
 * the capture groups in order (plain groups: a named group costs a dictionary object per match).
 */
export const TEMPLATES = [
  // 2026 logs this for every client: it builds a thin wrapper; the next line says created or reused.
  { kind: 'wrapper', needle: 'Creating pooled', fields: ['broker'], re: /Creating pooled adapter for broker: (\w+)/ },
  // A pool growing past 1000 symbols: expected, within its budget.
  { kind: 'pool-connection', needle: '[POOL] Creating NEW', fields: ['broker'], re: /\[POOL\] Creating NEW connection \d+\/\d+ for ([A-Za-z]+)/ },
  { kind: 'create', needle: 'Creating NEW', fields: ['broker', 'user'], re: /Creating NEW (\w+) adapter for user ([^\s,;:]+)/ },
  { kind: 'create', needle: 'adapter for broker', fields: ['broker'], re: /Creating (?:single )?adapter for broker: (\w+)/ },
  { kind: 'create', needle: 'Created new connection pool', fields: ['broker', 'user'], re: /Created new connection pool for ([A-Za-z]+)_([^\s:,;]+)/ },
  { kind: 'instance-init', needle: 'BaseBrokerWebSocketAdapter initializing', fields: [], re: /BaseBrokerWebSocketAdapter initializing/ },
  { kind: 'reuse', needle: 'Reusing existing pool', fields: ['broker', 'user'], re: /Reusing existing pool for ([A-Za-z]+)_([^\s:,;]+)/ },
  { kind: 'reuse', needle: 'Reusing existing', fields: ['broker', 'user'], re: /Reusing existing (\w+) adapter for user ([^\s,;:]+)/ },
  { kind: 'remove', needle: 'Removed', fields: ['broker', 'user'], re: /Removed (\w+) adapter for user ([^\s,;:]+)/ },
  { kind: 'active', needle: 'Active', fields: ['broker', 'count'], re: /Active (\w+) adapters: (\d+)/ },
  // The tokens an adapter carries decide how many upstream connections it needs (1,000 per connection).
  { kind: 'subscribed', needle: 'Batch subscribed', fields: ['count'], re: /Batch subscribed (\d+) tokens in mode/ },
  // The gateway's own dial line adds how many of its clients wanted the upstream (docs/architecture.md#log-templates).
  {
    kind: 'attempt',
    needle: 'client(s)',
    fields: ['broker', 'attempt', 'count'],
    re: /Connecting to (\w+) WebSocket \(attempt (\d+)\) for (\d+) client\(s\)/,
  },
  { kind: 'attempt', needle: 'Connecting to', fields: ['broker', 'attempt'], re: /Connecting to (\w+) WebSocket \(attempt (\d+)\)/ },
  // Zerodha's asyncio client (2025-06 to 2026-04) logs through an event helper that prefixes an icon and
  // a clock: `🔌 [09:15:00.150] CONNECT: Attempting connection (attempt 1/50)`.
  {
    kind: 'attempt',
    needle: 'Attempting connection',
    fields: ['attempt'],
    re: /CONNECT: Attempting connection \(attempt (\d+)\/\d+\)/,
    broker: 'zerodha',
  },
  // SmartWebSocketV2's own retry (logzero): each one is an upstream handshake the app log never shows.
  {
    kind: 'sdk-retry',
    needle: 'Attempting to resubscribe',
    fields: ['attempt'],
    re: /Attempting to resubscribe\/reconnect \(Attempt (\d+)\)/,
    broker: 'angel',
  },
  // Flattrade and Shoonya announce each fresh connection without a number.
  { kind: 'attempt', needle: 'WebSocket...', fields: ['broker'], re: /^[^\p{L}\p{N}]{0,6}Connecting to (\w+) WebSocket\.\.\./u },
  // A retry scheduled after a drop (Angel, Zerodha, Dhan, Upstox, Flattrade, Shoonya).
  {
    kind: 'reconnect',
    needle: 'econnecting in',
    fields: ['attempt'],
    re: /^[^\p{L}\p{N}]{0,6}Reconnecting in [\d.]+ ?s(?:econds)?(?:\.\.\.)? \(attempt (\d+)/u,
  },
  // A data-stall watchdog forcing a reconnect (Angel's SDK, Zerodha, Dhan, Fyers HSM, Upstox).
  { kind: 'forced-reconnect', needle: 'Forcing reconnect', fields: [], re: /[Dd]ata stall detected - no data for [\d.]+s\b.*Forcing reconnect/ },
  { kind: 'forced-reconnect', needle: 'DATA STALL', fields: [], re: /Reconnecting due to DATA STALL/ },
  {
    kind: 'stale-feed',
    needle: 'Stale feed',
    fields: ['broker', 'user'],
    re: /Stale feed: (\w+) adapter for user ([^\s,;:]+) reports connected but no ticks/,
  },
  // Shoonya's and Flattrade's 120 s watchdog.
  { kind: 'stale-feed', needle: 'Connection timeout', fields: [], re: /^[^\p{L}\p{N}]{0,6}Connection timeout - no messages received/u },
  { kind: 'loop-stall', needle: 'Connection thread', fields: [], re: /Connection thread did not terminate within timeout/ },
  { kind: 'connected', needle: 'WebSocket connected', fields: ['broker'], re: /^[^\p{L}\p{N}]{0,6}(Zerodha|HSM) WebSocket connected/u },
  { kind: 'connected', needle: 'Reconnected successfully', fields: [], re: /^[^\p{L}\p{N}]{0,6}Reconnected successfully/u },
  // Only the client's own line: Zerodha's adapter repeats it as `✅ WebSocket connected`, one connection.
  { kind: 'connected', needle: 'CONNECT: WebSocket', fields: [], re: /CONNECT: WebSocket connected successfully/, broker: 'zerodha' },
  // Fyers' adapter (2025) says `✅ Connected to Fyers HSM WebSocket`.
  { kind: 'connected', needle: 'Connected to', fields: ['broker'], re: /Connected to (\w+)(?: HSM)? WebSocket/ },
  { kind: 'closed', needle: 'WebSocket connection closed', fields: ['broker'], re: /(\w+) WebSocket connection closed/ },
  { kind: 'exhausted', needle: 'Max reconnect', fields: [], re: /Max reconnect(?:ion)? attempts(?: \(\d+\))? reached/ },
  { kind: 'exhausted', needle: 'Maximum reconnection', fields: [], re: /Maximum reconnection attempts(?: \(\d+\))? reached/ },
  {
    kind: 'exhausted',
    needle: 'stopping',
    fields: [],
    re: /Fatal WebSocket error detected - stopping reconnection|Reconnection failed - stopping HSM WebSocket/,
  },
  {
    kind: 'teardown',
    needle: 'Last client for user',
    fields: ['user', 'broker'],
    re: /Last client for user ([^\s,;:]+) disconnected\. Disconnecting (\w+) adapter/,
  },
  { kind: 'invalidated', needle: 'cached pool', fields: ['count', 'user'], re: /Invalidated (\d+) cached pool\(s\) for user=([^\s,;:]+)/ },
  // One refused handshake may be reported twice: by the adapter's error callback (`reports: application`)
  // and by websocket-client's own `… - goodbye` line (module `_logging`, `reports: library`); the
  // classifier pairs the two (docs/rules.md#one-refusal-per-handshake).
  { kind: 'refused', needle: 'WebSocket error:', fields: ['broker'], re: /(\w+) WebSocket error:.*\b429\b/, reports: 'application' },
  // The mock broker's own log: `Rejected smart-stream handshake for SINGLE1 with 429 Invalid Request. …`.
  { kind: 'refused', needle: 'handshake for', fields: ['user'], re: /Rejected [\w-]+ handshake for (\S+) with 429\b/, broker: 'angel' },
  { kind: 'refused', needle: '', fields: [], re: /Handshake status 429\b|Connection Limit Exceeded/, reports: 'library' },
  // The `websockets` library's refusal, as Zerodha's asyncio client logs it: `❌ Connection failed (attempt N): …`.
  { kind: 'refused', needle: 'server rejected', fields: [], re: /server rejected WebSocket connection: HTTP 429\b/ },
  // Kite's ticker, Dhan's HTTP 429 and its disconnect code 805.
  { kind: 'refused', needle: 'upgrade failed', fields: [], re: /WebSocket connection upgrade failed \(429 - TooManyRequests\)/, broker: 'zerodha' },
  { kind: 'refused', needle: 'connection blocked', fields: ['broker'], re: /(Dhan) WebSocket connection blocked \(HTTP 429/ },
  { kind: 'refused', needle: 'Maximum websocket', fields: [], re: /Disconnect reason: Maximum websocket connections exceeded/, broker: 'dhan' },
  // REST throttling: AngelOne answers 429, or 403 "Access denied because of exceeding access rate".
  { kind: 'rest-rate-limit', needle: 'exceeding access rate', fields: [], re: /exceeding access rate/ },
  // AngelOne's REST throttling as OpenAlgo logs it (OpenAlgo #1181): no 429 in the text.
  { kind: 'rest-rate-limit', needle: 'Too many requests', fields: [], re: /Error response: Too many requests/ },
  { kind: 'rest-rate-limit', needle: '429', fields: [], re: /HTTP\/[\d.]+"? 429\b|\b429 Too Many Requests|status(?: code)?[:= ]+429\b/i },
  {
    kind: 'auth-failure',
    needle: '40',
    fields: [],
    re: /Handshake status 40[13]\b|WebSocket error:[^\n]*\b40[13]\b|HTTP\/[\d.]+"? 40[13]\b|[Ss]tatus(?: code)?[:= ]+40[13]\b|\b40[13] (?:Unauthorized|Forbidden|Client Error)/,
  },
  // Zerodha's token refresh loop, Flattrade's and Shoonya's give-up on a rejected token.
  {
    kind: 'auth-failure',
    needle: 'uth',
    fields: [],
    re: /Auth\/token failure — refreshed token|auth\/token failure (?:persisted|and DB token unchanged)|Auth failure retries exhausted|Auth failure on (Shoonya) WS/,
  },
] as const satisfies ReadonlyArray<Template>;

/**
 * One message template. `broker` names the broker when neither the message nor the module does
 * (SmartWebSocketV2 logs as `smartWebSocketV2`, Kite's line names no broker).
 */
interface Template {
  kind: string;
  needle: string;
  fields: readonly TemplateField[];
  re: RegExp;
  broker?: string;
  /** Who reports a refused handshake, where two lines report the same one. */
  reports?: RefusalReporter;
}

/** The adapter's error line and websocket-client's own line about one refused handshake. */
export type RefusalReporter = 'application' | 'library';

export type TemplateKind = (typeof TEMPLATES)[number]['kind'];

/**
 * Byte strings of which every template contains at least one; a line holding none of them cannot be
 * an event, so the scanner looks for these first and parses only the lines around hits. They are
 * found by one SIMD pass that checks a keyword's first three bytes at every position (its cost does
 * not grow with the number of keywords), so what a keyword costs is the lines it makes the verifier
 * parse: `xisti` (`Reusing existing …`) and not `Reusi`, which also stops at every `REDACTED` and
 * `Request`; `Max` covers `Max reconnect` and both `Maximum` lines; `for us` (shared by `Removed`,
 * `Stale feed` and `Last client`) would also hit every `Client N authenticated for user X` and cost
 * more in parsing than a keyword per template. `WebSo` covers the connection lines and
 * `BaseBrokerWebSocketAdapter`, `xceed` covers `Connection Limit Exceeded` and `exceeding access
 * rate`, `(s)` covers `Invalidated N cached pool(s)`, `401`/`403` every form of the auth-failure
 * template (its reason phrases `Unauthorized`/`Forbidden` are optional, so searching for those
 * instead dropped `Handshake status 401` and `status code: 403`). The SDK's and the other brokers'
 * lines are found by their capitalised first words (`Attempting`, `Reconnecting`, `Forcing
 * reconnect`, `Stale feed`, `Connection t…`, `Auth`) rather than by `reconnect`, which is in half the
 * lines of a reconnecting log; AngelOne's REST throttling by `Too ma` (`Error response: Too many
 * requests`), the tokens an adapter carries by `Batch`. Where WebAssembly SIMD is missing
 * (`--jitless`) each keyword is a native search of its own; those stop on every occurrence of the
 * keyword's first byte, which is why the keywords start on bytes that are rare in log text and stay
 * at most 6 bytes long (from 7 bytes Node's search switches to a Boyer-Moore-Horspool that is about
 * 5 times slower on log text).
 */
export const CANDIDATE_KEYWORDS = [
  'Creat',
  'xisti',
  'Remov',
  'Activ',
  'WebSo',
  'Max',
  'Last c',
  '(s)',
  '429',
  '401',
  '403',
  'xceed',
  'Attem',
  'Recon',
  'Forci',
  'Stale',
  'Conne',
  'Auth',
  'Too ma',
  'Batch',
] as const;

/**
 * The shortest wait before retrying a handshake the broker refused with 429 that any back-off allows:
 * sooner is parallel connectors or no back-off (docs/rules.md#retry-after-refusal). The probe judges the
 * broker's record by it, verify the log.
 */
export const BACKOFF_FLOOR_MS = 500;

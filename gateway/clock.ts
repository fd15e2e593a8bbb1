/** The gateway's clock is the one shared below every part, so the verifier's follow runs on it too. */
export { systemClock, type Clock, type Timer } from '../contract/clock.ts';

/** The gateway's back-off jitter is injected as the same random source the mock broker seeds. */
export type { RandomSource } from '../contract/seeded-random.ts';

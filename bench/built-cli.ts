/** The built CLI (`npm run bench` builds it first), so benches time what users run, not tsx. */
export const BUILT_CLI = new URL('../dist/bin/stormcheck.js', import.meta.url).pathname;

// Writes schema/stormcheck.config.schema.json from the rule catalog (`npm run schema`); a test fails
// when the shipped file falls behind the code.
import { writeFileSync } from 'node:fs';
import { configSchema } from '../verifier/config/config-schema.ts';

writeFileSync(new URL('../schema/stormcheck.config.schema.json', import.meta.url), `${JSON.stringify(configSchema(), null, 2)}\n`);

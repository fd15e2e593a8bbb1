import { readFile, writeFile } from 'node:fs/promises';
import wabt from 'wabt';

/**
 * The binary of a WebAssembly text module, as committed next to its source. The binary is committed
 * (and checked against this compilation by a test) so that neither the build nor an installed
 * stormcheck needs wabt.
 */
export async function compileWat(watFile: string): Promise<Uint8Array> {
  const text = await readFile(watFile, 'utf8');
  const mod = (await wabt()).parseWat(watFile, text, { simd: true });
  try {
    mod.validate();
    return mod.toBinary({ write_debug_names: false }).buffer;
  } finally {
    mod.destroy();
  }
}

// `npm run build:wasm`: regenerates every committed .wasm from its .wat.
if (import.meta.url === `file://${process.argv[1]}`) {
  for (const wat of process.argv.slice(2)) {
    const out = wat.replace(/\.wat$/, '.wasm');
    await writeFile(out, await compileWat(wat));
    process.stdout.write(`${wat} -> ${out}\n`);
  }
}

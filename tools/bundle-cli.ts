import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { build, type Plugin } from 'esbuild';

const ROOT = path.resolve(new URL('..', import.meta.url).pathname);
const OUT_DIR = path.join(ROOT, 'dist', 'bin');
/** Plain ESM or CommonJS with no files of their own to find at run time: safe inside a chunk. */
const BUNDLED = new Set(['yargs', 'fastest-levenshtein', 'picomatch']);

/**
 * Bundles the CLI (bin/stormcheck.ts, our code, yargs and two small libraries) into dist/bin/stormcheck.js, and
 * verify's keyword pass thread into dist/bin/region-pass-worker.js, one chunk per command, loaded only when
 * that command runs. Node compiles one file per command faster than the dozens of modules and yargs' own
 * files it would resolve and read one by one: this is most of the CLI's start-up
 * (docs/benchmarks.md#cli-start-up). The other dependencies stay ordinary imports: pino, ws and ioredis
 * load workers or optional native add-ons by path, and uPlot is read as a file, which a bundle would break.
 */
export async function bundleCli(): Promise<void> {
  const pkg = JSON.parse(await readFile(path.join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
  // Chunk names carry a hash of their contents: the last build's would stay beside the new ones.
  await rm(path.join(OUT_DIR, 'chunks'), { recursive: true, force: true });
  await build({
    // The keyword pass's thread starts from a file of its own (verifier/input/region-pass.ts).
    entryPoints: [path.join(ROOT, 'bin', 'stormcheck.ts'), path.join(ROOT, 'verifier', 'input', 'region-pass-worker.ts')],
    outdir: OUT_DIR,
    entryNames: '[name]',
    chunkNames: 'chunks/[name]-[hash]',
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    minifyWhitespace: true,
    minifySyntax: true,
    legalComments: 'none',
    external: Object.keys(pkg.dependencies).filter((name) => !BUNDLED.has(name)),
    plugins: [metaUrlOfSource, lazyStringWidth],
    logLevel: 'warning',
  });
}

/**
 * Our modules find their data files (the instruments list, the page's script, the WebAssembly scanner,
 * package.json) next to themselves, through `import.meta.url`. Inside a chunk that would be the chunk's
 * URL, so each one gets the URL its own compiled file has in dist/, where the build copies those files.
 */
const metaUrlOfSource: Plugin = {
  name: 'import-meta-url-of-source',
  setup(b) {
    b.onLoad({ filter: /\.ts$/ }, async (args) => {
      const source = await readFile(args.path, 'utf8');
      if (!source.includes('import.meta.url') || args.path.includes(`${path.sep}node_modules${path.sep}`)) return undefined;
      const compiled = path.join(ROOT, 'dist', path.relative(ROOT, args.path)).replace(/\.ts$/, '.js');
      const fromChunk = path.relative(path.join(OUT_DIR, 'chunks'), compiled).split(path.sep).join('/');
      const fromEntry = path.relative(OUT_DIR, compiled).split(path.sep).join('/');
      // Code in the entry file and code in a chunk sit at different depths; the chunk folder says which.
      const url = `new URL(import.meta.url.includes('/bin/chunks/') ? ${JSON.stringify(fromChunk)} : ${JSON.stringify(fromEntry)}, import.meta.url).href`;
      return { contents: source.replaceAll('import.meta.url', url), loader: 'ts' };
    });
  },
};

/**
 * yargs' help layout measures text with `string-width`, whose module sets up two `Intl.Segmenter`s and
 * compiles Unicode-property regular expressions as it loads: a quarter of `stormcheck verify`'s
 * start-up, and a third of `--help`'s. Each import of it gets a stand-in that measures plain text itself
 * (tools/plain-text-width.ts) and loads the real module (the copy the importer would get) for the rest.
 */
const lazyStringWidth: Plugin = {
  name: 'lazy-string-width',
  setup(b) {
    b.onResolve({ filter: /^string-width$/ }, (args) =>
      args.kind === 'import-statement' ? { path: args.resolveDir, namespace: 'lazy-string-width' } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'lazy-string-width' }, (args) => ({
      resolveDir: args.path,
      contents: [
        `import { plainTextWidth } from ${JSON.stringify(path.join(ROOT, 'tools', 'plain-text-width.ts'))};`,
        'let real;',
        "export default (text, options) => plainTextWidth(text, options) ?? (real ??= require('string-width').default)(text, options);",
      ].join('\n'),
      loader: 'js',
    }));
  },
};

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === new URL(import.meta.url).pathname) await bundleCli();

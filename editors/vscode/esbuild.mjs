// Bundle the extension (dist/extension.js), or with --tests the unit tests (out/test/*.test.js).
import { build } from 'esbuild';
import { readdirSync } from 'fs';

const tests = process.argv.includes('--tests');
const minify = process.argv.includes('--minify');

const common = { bundle: true, platform: 'node', format: 'cjs', target: 'node20', logLevel: 'warning' };

if (tests) {
  const entryPoints = readdirSync('test').filter((f) => f.endsWith('.test.ts')).map((f) => `test/${f}`);
  // the unit tests cover pure modules only: importing 'vscode' there is a mistake, so fail the build
  await build({ ...common, entryPoints, outdir: 'out/test', external: [] });
} else {
  await build({
    ...common,
    entryPoints: ['src/extension.ts'],
    outfile: 'dist/extension.js',
    external: ['vscode'],
    minify,
    sourcemap: !minify,
  });
}

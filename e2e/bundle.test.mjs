// The page's download stays within its budget (BENCHMARKS.md §4): the release wasm and JS
// that `trunk build --release` wrote, gzip -9, under 500 KB in all. A size, not a time:
// the same build always gives the same figure.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const DIST = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist');
const BUDGET = 500 * 1000;

test('the release wasm and JS stay under 500 KB gzip', async () => {
  const files = (await readdir(DIST)).filter((f) => f.endsWith('.wasm') || f.endsWith('.js'));
  assert.ok(files.some((f) => f.endsWith('.wasm')), `a release build in dist/: ${files}`);
  let total = 0;
  for (const f of files) total += gzipSync(await readFile(join(DIST, f)), { level: 9 }).length;
  assert.ok(total < BUDGET, `${total} bytes gzip; the budget is ${BUDGET}`);
});

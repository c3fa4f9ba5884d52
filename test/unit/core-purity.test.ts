import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { test } from 'node:test';

const CORE = new URL('../../src/core/', import.meta.url).pathname;

test('src/core reads no clock, no randomness and imports nothing outside core (DESIGN 3, STYLE 4)', () => {
  const files = readdirSync(CORE, { recursive: true })
    .map(String)
    .filter((f) => f.endsWith('.ts'));
  assert.ok(files.length > 0);
  for (const file of files) {
    const source = readFileSync(join(CORE, file), 'utf8');
    assert.doesNotMatch(
      source,
      /Date\.now\(|new Date\(\)|Math\.random\(|performance\.now\(/,
      `${file} reads the real clock or randomness`,
    );
    for (const [, spec] of source.matchAll(/from '([^']+)'/g)) {
      const target = spec?.startsWith('.') ? resolve(dirname(join(CORE, file)), spec) : '';
      assert.ok(target.startsWith(CORE), `${file} imports ${spec}: core imports only core`);
    }
  }
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runDemo } from '../../src/cli/demo/run.ts';

test('mamori demo replays the story and exits 0 only when every step happened', async () => {
  const lines: string[] = [];
  const code = await runDemo((line) => lines.push(line));
  const output = lines.join('\n');
  assert.equal(code, 0, output);
  assert.match(output, /T\+ 72h 0\dm {2}attacker signs in with the stolen password/);
  assert.match(output, /The email address of your Maple Market account was changed/);
  assert.match(output, /contained at once: attacker signed out, password disabled, email restored, address removed/);
  assert.match(output, /T\+ 77h 0\dm {2}5 h pass without objection/);
  assert.match(output, /\[ \] Confirm your shipping addresses\./);
  assert.match(output, /From the owner's click to a usable account: 5 h 0 min/);
  assert.match(output, /proves it with her phone's passkey, opens the account and adds a new passkey/);
  assert.match(output, /From the owner's click to a usable account: 0 h 0 min, four clicks, no wait\./);
});

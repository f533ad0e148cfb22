import { strict as assert } from 'node:assert';
import { test } from 'node:test';

import { initializationOptions, KINDS, needsRestart } from '../src/settings';

test('defaults when nothing is set', () => {
  assert.deepEqual(initializationOptions(() => undefined), {
    imi: { codeLens: { enable: true }, diagnostics: { enable: true, severity: 'warning', staleAnchors: true }, kinds: [...KINDS] },
  });
});

test('values are mapped to the camelCase keys the server reads', () => {
  const values: Record<string, unknown> = {
    'codeLens.enable': false,
    'diagnostics.enable': true,
    'diagnostics.severity': 'hint',
    kinds: ['lesson'],
    'server.command': ['x'],
  };
  const options = initializationOptions((key) => values[key]);
  assert.deepEqual(options.imi, { codeLens: { enable: false }, diagnostics: { enable: true, severity: 'hint', staleAnchors: true }, kinds: ['lesson'] });
  assert.ok(!('server' in options.imi), 'client-only settings stay out');
});

test('only changes to how the server is started restart it', () => {
  assert.equal(needsRestart((s) => s === 'imi.server'), true);
  assert.equal(needsRestart((s) => s === 'imi.codeLens'), false);
});

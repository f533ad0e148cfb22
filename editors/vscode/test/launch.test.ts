import { strict as assert } from 'node:assert';
import { test } from 'node:test';

import { candidates, Environment, failureMessage, lastLine, which, mcpServer } from '../src/launch';

function env(executables: string[], extra: Partial<Environment> = {}): Environment {
  return {
    pathVariable: '/usr/local/bin:/usr/bin',
    folders: ['/work/app'],
    trusted: true,
    platform: 'linux',
    isExecutable: (file) => executables.includes(file),
    ...extra,
  };
}

const none = { command: [], python: '', db: '' };

test('imi-lsp on PATH comes before any Python', () => {
  const list = candidates(none, env(['/usr/bin/imi-lsp']));
  assert.equal(list[0].command, '/usr/bin/imi-lsp');
  assert.equal(list[0].probe, false);
  assert.deepEqual(list.slice(1).map((c) => [c.command, c.args]), [['python3', ['-m', 'imi_lsp']]]);
});

test("a trusted workspace's .venv wins over PATH; an untrusted one is not run", () => {
  const files = ['/work/app/.venv/bin/imi-lsp', '/usr/bin/imi-lsp'];
  assert.equal(candidates(none, env(files))[0].command, '/work/app/.venv/bin/imi-lsp');
  assert.equal(candidates(none, env(files, { trusted: false }))[0].command, '/usr/bin/imi-lsp');
});

test("pipx's ~/.local/bin is tried after PATH (an editor started from a desktop may lack it)", () => {
  const list = candidates(none, env(['/home/u/.local/bin/imi-lsp'], { home: '/home/u' }));
  assert.deepEqual(list.map((c) => c.origin), ['~/.local/bin', 'PATH']);
  assert.equal(list[0].command, '/home/u/.local/bin/imi-lsp');
  const both = candidates(none, env(['/usr/bin/imi-lsp', '/home/u/.local/bin/imi-lsp'], { home: '/home/u' }));
  assert.deepEqual(both.map((c) => c.command).slice(0, 2), ['/usr/bin/imi-lsp', '/home/u/.local/bin/imi-lsp']);
});

test('the explicit command is the only candidate, with --db appended', () => {
  const list = candidates({ command: ['/opt/imi/bin/imi-lsp', '-v'], python: '/x/python', db: '/data/state.db' }, env([]));
  assert.deepEqual(list, [
    { command: '/opt/imi/bin/imi-lsp', args: ['-v', '--db', '/data/state.db'], origin: 'imi.server.command', probe: false },
  ]);
});

test('Pythons: the setting, then the selected interpreter; python3 only without a setting', () => {
  const set = candidates({ ...none, python: '/venv/bin/python' }, env([], { selectedPython: '/sel/python' }));
  assert.deepEqual(set.map((c) => c.command), ['/venv/bin/python', '/sel/python']);
  const unset = candidates(none, env([], { selectedPython: '/sel/python' }));
  assert.deepEqual(unset.map((c) => c.command), ['/sel/python', 'python3']);
  assert.ok(unset.every((c) => c.probe && c.args[0] === '-m' && c.args[1] === 'imi_lsp'));
});

test('which() walks PATH in order and skips empty entries', () => {
  const e = { pathVariable: ':/a:/b', platform: 'linux' as const, isExecutable: (f: string) => f === '/b/imi-lsp' };
  assert.equal(which('imi-lsp', e), '/b/imi-lsp');
  assert.equal(which('nothing', e), undefined);
});

test('the failure message names what was tried and how to fix it', () => {
  const message = failureMessage([
    { candidate: { command: 'python3', args: ['-m', 'imi_lsp'], origin: 'PATH', probe: true }, problem: "ModuleNotFoundError: No module named 'imi_lsp'" },
  ]);
  assert.match(message, /imi-lsp is not on PATH/);
  assert.match(message, /python3 -m imi_lsp \(PATH\): ModuleNotFoundError/);
  assert.match(message, /pip install imi-memory/);
  assert.match(message, /imi\.server\.command/);
});

test('a broken explicit command is blamed on the setting', () => {
  const message = failureMessage([
    { candidate: { command: '/nope/imi-lsp', args: [], origin: 'imi.server.command', probe: false }, problem: 'not an executable file' },
  ]);
  assert.match(message, /^IMI: cannot start the language server with "imi.server.command" \(\/nope\/imi-lsp\): not an executable file/);
});

test('lastLine keeps the last line of a traceback, shortened', () => {
  assert.equal(lastLine('Traceback...\n  File x\nModuleNotFoundError: no\n\n', 'fallback'), 'ModuleNotFoundError: no');
  assert.equal(lastLine('', 'exit 1'), 'exit 1');
  assert.equal(lastLine('x'.repeat(300), '').length, 200);
});

test("Cursor's MCP server is the imi beside the imi-lsp that runs, pinned to the project's memory", () => {
  const lsp = { command: '/home/u/.venv/bin/imi-lsp', args: [], origin: 'PATH', probe: false };
  assert.deepEqual(mcpServer(lsp, '/w/.imi/state.db', 'linux'), {
    command: '/home/u/.venv/bin/imi', args: ['mcp'], env: { IMI_AGENT_ID: 'cursor', IMI_DB: '/w/.imi/state.db' },
  });
  const python = { command: '/usr/bin/python3', args: ['-m', 'imi_lsp'], origin: 'PATH', probe: true };
  assert.deepEqual(mcpServer(python, undefined, 'linux'), { command: '/usr/bin/python3', args: ['-m', 'imi_cli', 'mcp'], env: { IMI_AGENT_ID: 'cursor' } });
  const own = { command: '/opt/imi/bin/imi-lsp', args: ['-v'], origin: 'imi.server.command', probe: false };
  assert.equal(mcpServer(own, undefined, 'linux'), undefined); // the user's own command: nothing to guess
});

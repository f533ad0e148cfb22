import { strict as assert } from 'node:assert';
import { test } from 'node:test';

import { answersFor, parseFileLink, pickItem, viewFor, viewForLink, viewKey } from '../src/pages';

test('lens clicks, hover links and code actions become views the extension renders', () => {
  assert.deepEqual(viewFor('imi.showRecord', ['L1']), { view: 'record', id: 'L1' });
  assert.deepEqual(viewFor('imi.showRecord', [{ id: 'L1' }]), { view: 'record', id: 'L1' });
  assert.deepEqual(viewFor('imi.showRecords', ['file:///w/a.py', 3, 4]), { view: 'records', uri: 'file:///w/a.py', start: 3, end: 4 });
  assert.deepEqual(viewFor('imi.showRecords', ['file:///w/a.py']), { view: 'records', uri: 'file:///w/a.py' });
  assert.deepEqual(viewFor('imi.showFileMemory', ['file:///w/a.py']), { view: 'file', uri: 'file:///w/a.py' });
  assert.deepEqual(viewFor('imi.showContext', []), { view: 'context' });
  assert.equal(viewFor('imi.showRecord', []), undefined); // the server explains what it needs
  assert.equal(viewFor('imi.acknowledgeLesson', ['L1']), undefined);
  assert.equal(viewKey({ view: 'record', id: 'L1' }), 'record:L1');
});

test('file links open at their lines, relative to the page\'s folder', () => {
  assert.deepEqual(parseFileLink('src/a.py#L3-L4', '/w'), { path: '/w/src/a.py', startLine: 3, endLine: 4 });
  assert.deepEqual(parseFileLink('src/my%20file.py#L7', '/w/'), { path: '/w/src/my file.py', startLine: 7, endLine: 7 });
  assert.deepEqual(parseFileLink('file:///w/a.py'), { path: '/w/a.py' });
  assert.equal(parseFileLink('https://example.com', '/w'), undefined);
  assert.equal(parseFileLink('imi:record/L1', '/w'), undefined);
});

test('actions ask for what the server needs, in order', () => {
  assert.deepEqual(answersFor({ title: 'Supersede…', command: 'imi.supersede', ask: 'what,why' }).map((q) => q.key), ['what', 'why']);
  assert.deepEqual(answersFor({ title: 'Archive', command: 'imi.archive' }), []);
});

test('a search result reads: icon and title, file and lines, kind age id', () => {
  const item = pickItem({ kind: 'lesson', id: 'L1', title: 'Take the mutex first', age: '2d ago',
    file: { path: 'src/cache.py', uri: 'file:///w/src/cache.py', line_start: 10, line_end: 14 } });
  assert.deepEqual(item, { label: '$(mortar-board) Take the mutex first', detail: 'src/cache.py:10-14 · lesson · 2d ago · L1' });
  assert.equal(pickItem({ kind: 'task', id: 'T', title: 'x', status: 'in_progress' }).detail, 'task · in progress · T');
});

test('imi: links open records, proposals and the review list; others are not views', () => {
  assert.deepEqual(viewForLink('imi:record/L1'), { view: 'record', id: 'L1' });
  assert.deepEqual(viewForLink('imi:proposal/p%201'), { view: 'proposal', id: 'p 1' });
  assert.deepEqual(viewForLink('imi:review'), { view: 'review' });
  assert.equal(viewForLink('https://example.com'), undefined);
  assert.equal(viewKey({ view: 'proposal', id: 'p1' }), 'proposal:p1');
});

test('accepting a proposal edited asks the server\'s questions, starting from the proposed text', () => {
  const questions = answersFor({
    title: 'Accept edited…', command: 'imi.acceptProposal', arguments: [{ id: 'p1' }], ask: 'text,correctBehavior',
    values: { text: 'pytest failed until parser.py changed', correctBehavior: 'run pytest' },
    prompts: { text: 'What went wrong (edit the lesson)' },
  });
  assert.deepEqual(questions.map((q) => [q.key, q.prompt, q.value]), [
    ['text', 'What went wrong (edit the lesson)', 'pytest failed until parser.py changed'],
    ['correctBehavior', 'What is the correct behaviour?', 'run pytest'],
  ]);
});

import { strict as assert } from 'node:assert';
import { test } from 'node:test';

import { anchor, anchorLabel, answer, decisionArgs, lessonArgs, noteArgs } from '../src/args';

const sel = (a: number, b: number, c: number, d: number) => ({ start: { line: a, character: b }, end: { line: c, character: d } });

test('an empty selection anchors to the file, a selection to its range', () => {
  assert.deepEqual(anchor('file:///a.py', sel(3, 2, 3, 2)), { uri: 'file:///a.py' });
  assert.deepEqual(anchor('file:///a.py', undefined), { uri: 'file:///a.py' });
  assert.deepEqual(anchor('file:///a.py', sel(3, 0, 5, 4)), { uri: 'file:///a.py', range: sel(3, 0, 5, 4) });
});

test('anchor labels use 1-based lines; whole-line selections do not count the next line', () => {
  assert.equal(anchorLabel('src/a.py', undefined), 'src/a.py');
  assert.equal(anchorLabel('src/a.py', sel(9, 0, 15, 0)), 'src/a.py:10-15');
  assert.equal(anchorLabel('src/a.py', sel(9, 0, 10, 0)), 'src/a.py:10');
  assert.equal(anchorLabel('src/a.py', sel(9, 4, 9, 8)), 'src/a.py:10');
  assert.equal(anchorLabel('src/a.py', sel(9, 4, 11, 2)), 'src/a.py:10-12');
});

test('answers are trimmed; empty and cancelled are the same', () => {
  assert.equal(answer('  keep it  '), 'keep it');
  assert.equal(answer('   '), undefined);
  assert.equal(answer(undefined), undefined);
});

test('record arguments carry the text and the anchor in one object', () => {
  const where = anchor('file:///a.py', sel(1, 0, 2, 0));
  assert.deepEqual(lessonArgs(where, 'T', 'C'), { text: 'T', correctBehavior: 'C', uri: 'file:///a.py', range: sel(1, 0, 2, 0) });
  assert.deepEqual(decisionArgs(undefined, 'W', 'Y'), { what: 'W', why: 'Y' });
  assert.deepEqual(noteArgs(undefined, 'N'), { text: 'N' });
});

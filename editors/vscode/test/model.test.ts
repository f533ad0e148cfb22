import { strict as assert } from 'node:assert';
import { test } from 'node:test';

import { children, inProgress, MemoryTree, Node, pendingCount, proposalIdOf, refFile, refLabel, reviewStatusText, row, startable, statusText, taskChoices, taskIdOf } from '../src/model';

function tree(): MemoryTree {
  return {
    agent: 'me',
    folders: [
      {
        name: 'app',
        folder: '/work/app',
        memory: true,
        goals: [
          {
            kind: 'goal', id: 'g1', name: 'Ship the importer', status: 'todo', priority: 'high',
            tasks: [
              { kind: 'task', id: 't1', title: 'Parse CSV', status: 'done', claimant: null },
              { kind: 'task', id: 't2', title: 'Write rows', status: 'in_progress', claimant: 'claude-1', files: [{ path: 'src/db.py', line_start: 10, line_end: 20 }] },
              { kind: 'task', id: 't3', title: 'Docs', status: 'todo', ready: true },
              { kind: 'task', id: 't4', title: 'Blocked one', status: 'todo', ready: false },
            ],
          },
        ],
        decisions: [{ kind: 'decision', id: 'd1', what: 'One connection per process', why: 'WAL', files: [{ path: 'src/db.py' }] }],
        lessons: [{ kind: 'lesson', id: 'l1', text: 'Take the mutex first', correct_behavior: 'lock, then read', files: [{ path: 'src/*.py', glob: true }] }],
      },
      { name: 'empty', folder: '/work/empty', memory: false },
    ],
  };
}

const labels = (nodes: Node[]) => nodes.map((n) => row(n).label);

test('one folder with memory: its sections are the top level, empty optional sections hidden', () => {
  const top = children(tree());
  assert.deepEqual(labels(top), ['Goals', 'Decisions', 'Lessons']);
  assert.deepEqual(top.map((n) => row(n).description), ['1', '1', '1']);
});

test('several folders with memory: one row per folder', () => {
  const t = tree();
  t.folders[1] = { ...t.folders[0], name: 'lib', folder: '/work/lib' };
  assert.deepEqual(labels(children(t)), ['app', 'lib']);
});

test('goals hold their tasks; tasks show status and claimant', () => {
  const [goals] = children(tree());
  const [goal] = children(tree(), goals);
  assert.equal(row(goal).label, 'Ship the importer');
  assert.equal(row(goal).description, '1/4 done · high');
  const tasks = children(tree(), goal);
  assert.deepEqual(labels(tasks), ['Parse CSV', 'Write rows', 'Docs', 'Blocked one']);
  assert.equal(row(tasks[1]).description, 'in progress · claude-1');
  assert.equal(row(tasks[1]).contextValue, 'task-in_progress');
  assert.equal(row(tasks[1]).collapsible, 'collapsed');
  assert.equal(row(tasks[0]).icon, 'pass');
});

test('records open themselves; their files open at the named lines; globs do not open', () => {
  const t = tree();
  const [goals, decisions, lessons] = children(t);
  const [decision] = children(t, decisions);
  assert.deepEqual(row(decision).open, { kind: 'record', id: 'd1' });
  assert.equal(row(decision).description, 'src/db.py');
  const write = children(t, children(t, goals)[0])[1];
  const [file] = children(t, write);
  assert.deepEqual(row(file).open, { kind: 'file', file: '/work/app/src/db.py', startLine: 10, endLine: 20 });
  assert.equal(row(file).label, 'src/db.py:10-20');
  const [glob] = children(t, children(t, lessons)[0]);
  assert.equal(row(glob).open, undefined);
  assert.equal(row(glob).description, 'glob');
});

test('the lesson tooltip gives the correct behaviour and escapes markdown', () => {
  const t = tree();
  t.folders[0].lessons![0].text = 'Use *stars* [here]';
  const lesson = children(t, children(t)[2])[0];
  assert.match(row(lesson).tooltip!, /Use \\\*stars\\\* \\\[here\\\]/);
  assert.match(row(lesson).tooltip!, /Correct behaviour: lock, then read/);
});

test('refLabel and refFile', () => {
  assert.equal(refLabel({ path: 'a.py', line_start: 3, line_end: 3 }), 'a.py:3');
  assert.equal(refLabel({ path: 'a.py', symbol: 'main' }), 'a.py#main');
  assert.equal(refFile('/w/', { path: 'src/a.py' }), '/w/src/a.py');
  assert.equal(refFile('C:\\w', { path: 'src/a.py' }), 'C:\\w\\src\\a.py');
});

test('tasks: in progress puts mine first; startable skips blocked ones', () => {
  const t = tree();
  t.folders[0].tasks = [{ kind: 'task', id: 't9', title: 'Mine', status: 'in_progress', claimant: 'me' }];
  assert.deepEqual(inProgress(t).map((x) => x.task.id), ['t9', 't2']);
  assert.deepEqual(startable(t).map((x) => x.task.id), ['t3']);
  const [choice] = taskChoices(startable(t), true);
  assert.deepEqual(choice, { label: 'Docs', description: 't3 · app', id: 't3', folder: '/work/app' });
});

test('status bar: the task in progress, or an invitation, or nothing without memory', () => {
  const t = tree();
  const status = statusText(t)!;
  assert.equal(status.text, '$(play-circle) Write rows');
  assert.equal(status.command, 'imi.ui.completeTask');
  assert.match(status.tooltip, /claude-1/);
  t.folders[0].goals![0].tasks = [];
  assert.equal(statusText(t)!.text, '$(circle-large-outline) IMI: no task in progress');
  assert.equal(statusText({ folders: [{ name: 'x', folder: '/x', memory: false }] }), undefined);
  assert.equal(statusText(undefined), undefined);
});

test('taskIdOf reads the row the inline buttons pass', () => {
  const t = tree();
  const task = children(t, children(t, children(t)[0])[0])[2];
  assert.equal(taskIdOf(task), 't3');
  assert.equal(taskIdOf(children(t)[0]), undefined);
  assert.equal(taskIdOf(undefined), undefined);
});

test('no silent caps: a section shows the true count and a row to page on', () => {
  const t = tree();
  t.folders[0].counts = { decisions: 1006 };
  const decisions = children(t)[1];
  assert.equal(row(decisions).description, '1006');
  assert.equal(row(decisions).collapsible, 'collapsed'); // a long list starts folded
  const rows = children(t, decisions);
  const more = rows[rows.length - 1];
  assert.equal(row(more).label, 'Show 200 more…');
  assert.equal(row(more).description, '1005 not shown');
  assert.deepEqual(row(more).open, { kind: 'more', section: 'decisions', folder: '/work/app' });
  assert.equal(row(children(t)[2]).collapsible, 'expanded'); // lessons open by default
});

test('stale records are marked, and labels fit the default width with the rest in the tooltip', () => {
  const t = tree();
  const long = 'The cache must be invalidated whenever the price list is imported from the supplier feed';
  t.folders[0].lessons![0] = { ...t.folders[0].lessons![0], text: long, stale: true };
  const lesson = row(children(t, children(t)[2])[0]);
  assert.equal(lesson.icon, 'warning');
  assert.equal(lesson.description, 'stale · src/*.py');
  assert.ok(lesson.label.length <= 44, lesson.label);
  assert.match(lesson.tooltip!, /supplier feed/);
  assert.match(lesson.tooltip!, /Stale/);
});

test('grouped by file: one row per file with the records that name it, records without a file last', () => {
  const t = tree();
  t.folders[0].decisions!.push({ kind: 'decision', id: 'd2', what: 'No ORM' });
  const top = children(t, undefined, { byFile: true });
  assert.deepEqual(labels(top), ['Goals', 'src/*.py', 'src/db.py', '(no file)']);
  const db = top[2];
  assert.deepEqual(children(t, db, { byFile: true }).map((n) => n.type === 'record' && n.record.id), ['d1', 't2']);
  assert.equal(row(db).description, '2');
});

test('"Memory for this file" comes first and lists the records naming the active file', () => {
  const t = tree();
  const current = { path: 'src/db.py', folder: t.folders[0], records: [t.folders[0].decisions![0]] };
  const top = children(t, undefined, { current });
  assert.equal(row(top[0]).label, 'Memory for this file');
  assert.equal(row(top[0]).description, 'src/db.py · 1');
  const [decision] = children(t, top[0], { current });
  assert.equal(row(decision).label, 'One connection per process');
  assert.equal(children(t, undefined, { current: { ...current, records: [] } }).length, 3); // nothing for it: no section
});

test('proposals waiting for review come first, each opening its page; the status bar counts them', () => {
  const t = tree();
  assert.equal(reviewStatusText(t), undefined); // nothing to review: no item
  t.folders[0].proposals = [
    { id: 'p1', kind: 'lesson', title: 'pytest failed until src/parser.py changed', status: 'pending', session: 's1', proposed_by: 'claude-1' },
    { id: 'p2', kind: 'summary', title: 'Parser done', status: 'pending', session: 's1' },
  ];
  t.folders[0].counts = { proposals: 3 }; // only the oldest are sent
  const top = children(t);
  assert.deepEqual(labels(top), ['Pending review', 'Goals', 'Decisions', 'Lessons']);
  assert.equal(row(top[0]).description, '3');
  assert.deepEqual(row(top[0]).open, { kind: 'review' });
  const rows = children(t, top[0]);
  assert.deepEqual(rows.map((n) => [row(n).label, row(n).description, row(n).contextValue, row(n).icon]), [
    ['pytest failed until src/parser.py changed', 'lesson · s1', 'proposal', 'mortar-board'],
    ['Parser done', 'task summary · s1', 'proposal', 'tasklist'],
  ]);
  assert.deepEqual(row(rows[0]).open, { kind: 'proposal', id: 'p1' });
  assert.equal(proposalIdOf(rows[1]), 'p2');
  assert.equal(proposalIdOf(top[1]), undefined);
  assert.equal(pendingCount(t), 3);
  assert.deepEqual(reviewStatusText(t)?.text, '$(inbox) 3 to review');
});

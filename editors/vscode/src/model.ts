/**
 * The memory as the server sends it (`imi.memoryTree`) and what the editor shows of it:
 * tree rows, the status bar text, the choices of the task pickers. Pure, so it is unit-tested
 * without VS Code; `tree.ts` and `status.ts` turn these descriptions into VS Code objects.
 */

// The JSON of `imi.memoryTree` (records are the CLI's `--json` shapes) --------------------------
export interface FileRef {
  path: string;
  glob?: boolean;
  line_start?: number | null;
  line_end?: number | null;
  symbol?: string | null;
}

export interface TaskRecord {
  kind: 'task';
  id: string;
  title: string;
  status: string;
  priority?: string;
  claimant?: string | null;
  goal_id?: string | null;
  ready?: boolean;
  files?: FileRef[];
  /** Set by the server: an anchor's code changed or is gone. */
  stale?: boolean;
}

export interface GoalRecord {
  kind: 'goal';
  id: string;
  name: string;
  status: string;
  priority?: string;
  files?: FileRef[];
  tasks?: TaskRecord[];
  stale?: boolean;
}

export interface DecisionRecord {
  kind: 'decision';
  id: string;
  what: string;
  why?: string;
  decision_kind?: string;
  files?: FileRef[];
  stale?: boolean;
}

export interface LessonRecord {
  kind: 'lesson';
  id: string;
  text: string;
  correct_behavior?: string;
  verified_by?: string;
  files?: FileRef[];
  stale?: boolean;
}

export type MemoryRecord = TaskRecord | GoalRecord | DecisionRecord | LessonRecord;

/** A suggestion from a session, waiting for a person (`imi review`). */
export interface Proposal {
  id: string;
  kind: 'lesson' | 'decision' | 'summary';
  /** One line: the lesson, the decision or the summary. */
  title: string;
  status: string;
  session?: string | null;
  proposed_by?: string | null;
  source?: string;
  created_at?: string | null;
  fields?: Record<string, unknown>;
}

export interface FolderMemory {
  name: string;
  /** The workspace folder, absolute. */
  folder: string;
  /** False when the folder has no `.imi/` yet (or it could not be opened: see `problem`). */
  memory: boolean;
  problem?: string | null;
  goals?: GoalRecord[];
  /** Tasks that belong to no goal. */
  tasks?: TaskRecord[];
  decisions?: DecisionRecord[];
  lessons?: LessonRecord[];
  /** Proposals waiting for review, oldest first. */
  proposals?: Proposal[];
  /** How many there are (only the newest are sent: the view pages with "Show more"). */
  counts?: Partial<Record<SectionName | 'proposals', number>>;
}

export interface MemoryTree {
  /** Who "I" am for the server (the agent id it records with). */
  agent?: string;
  folders: FolderMemory[];
}

// Tree rows -------------------------------------------------------------------------------------
export type SectionName = 'goals' | 'tasks' | 'decisions' | 'lessons';

/** The records naming the file in the active editor ("Memory for this file"). */
export interface CurrentFile {
  path: string;
  folder: FolderMemory;
  records: MemoryRecord[];
}

/** How the view is arranged: by kind (default) or by file; and the active editor's file. */
export interface ViewOptions {
  byFile?: boolean;
  current?: CurrentFile;
}

export type Node =
  | { type: 'folder'; folder: FolderMemory }
  | { type: 'section'; section: SectionName; folder: FolderMemory }
  | { type: 'current'; current: CurrentFile }
  | { type: 'group'; path: string; records: MemoryRecord[]; folder: FolderMemory }
  | { type: 'more'; section: SectionName; folder: FolderMemory; left: number }
  | { type: 'review'; folder: FolderMemory }
  | { type: 'proposal'; proposal: Proposal; folder: FolderMemory }
  /** `under`: where the row sits (a record may show in several places: this file, a group, its section). */
  | { type: 'record'; record: MemoryRecord; folder: FolderMemory; under?: string }
  | { type: 'file'; ref: FileRef; folder: FolderMemory };

/** What clicking a row does. */
export type Open =
  | { kind: 'record'; id: string }
  | { kind: 'proposal'; id: string }
  | { kind: 'review' }
  | { kind: 'file'; file: string; startLine?: number; endLine?: number }
  | { kind: 'more'; section: SectionName; folder: string };

export interface Row {
  label: string;
  description?: string;
  /** Markdown. */
  tooltip?: string;
  /** A codicon id. */
  icon?: string;
  collapsible: 'none' | 'collapsed' | 'expanded';
  /** For `view/item/context` menus: `task-todo`, `task-in_progress`, `lesson`, ... */
  contextValue?: string;
  open?: Open;
}

/** Labels fit the default side bar (about 300 px); the tooltip has the rest. */
export const LABEL_WIDTH = 44;
/** A section with more rows than this starts folded (the most useful groups open by default). */
export const OPEN_UP_TO = 10;

const SECTION_TITLES: Record<SectionName, string> = {
  goals: 'Goals',
  tasks: 'Tasks without a goal',
  decisions: 'Decisions',
  lessons: 'Lessons',
};

const TASK_ICONS: Record<string, string> = {
  todo: 'circle-large-outline',
  in_progress: 'play-circle',
  review: 'eye',
  done: 'pass',
  failed: 'error',
};

function sectionItems(folder: FolderMemory, section: SectionName): MemoryRecord[] {
  return (folder[section] ?? []) as MemoryRecord[];
}

/** The true number of a section's records (the server may send only the newest). */
export function sectionCount(folder: FolderMemory, section: SectionName): number {
  return Math.max(folder.counts?.[section] ?? 0, sectionItems(folder, section).length);
}

const NO_FILE = '(no file)';

/** Decisions, lessons and open tasks grouped by the files they name (a record naming two files is in both). */
export function groupByFile(folder: FolderMemory): { path: string; records: MemoryRecord[] }[] {
  const groups = new Map<string, MemoryRecord[]>();
  const open = [...(folder.goals ?? []).flatMap((g) => g.tasks ?? []), ...(folder.tasks ?? [])].filter((t) => t.status !== 'done');
  for (const record of [...(folder.lessons ?? []), ...(folder.decisions ?? []), ...open] as MemoryRecord[]) {
    const paths = [...new Set((record.files ?? []).map((f) => f.path))];
    for (const path of paths.length ? paths : [NO_FILE]) {
      const list = groups.get(path) ?? [];
      list.push(record);
      groups.set(path, list);
    }
  }
  return [...groups.entries()]
    .sort(([a], [b]) => (a === NO_FILE ? 1 : b === NO_FILE ? -1 : a.localeCompare(b)))
    .map(([path, records]) => ({ path, records }));
}

/** How many proposals of a folder wait for review (the server may send only the oldest). */
export function pendingIn(folder: FolderMemory): number {
  return Math.max(folder.counts?.proposals ?? 0, (folder.proposals ?? []).length);
}

/** Every folder's pending proposals. */
export function pendingCount(tree: MemoryTree | undefined): number {
  return (tree?.folders ?? []).reduce((n, f) => n + pendingIn(f), 0);
}

function folderChildren(folder: FolderMemory, options: ViewOptions): Node[] {
  // proposals waiting for a person come first: nothing else in the view asks for a decision
  const review: Node[] = pendingIn(folder) ? [{ type: 'review', folder }] : [];
  if (options.byFile) {
    const goals: Node[] = sectionItems(folder, 'goals').length ? [{ type: 'section', section: 'goals', folder }] : [];
    return [...review, ...goals, ...groupByFile(folder).map(({ path, records }) => ({ type: 'group' as const, path, records, folder }))];
  }
  const sections: SectionName[] = ['goals', 'tasks', 'decisions', 'lessons'];
  return [...review, ...sections
    .filter((s) => s !== 'tasks' || sectionItems(folder, s).length > 0)
    .map((section): Node => ({ type: 'section', section, folder }))];
}

/** The rows below `node` (below the root when undefined). */
export function children(tree: MemoryTree | undefined, node?: Node, options: ViewOptions = {}): Node[] {
  if (!tree) return [];
  if (!node) {
    const current: Node[] = options.current && options.current.records.length ? [{ type: 'current', current: options.current }] : [];
    const withMemory = tree.folders.filter((f) => f.memory);
    if (withMemory.length === 1) return [...current, ...folderChildren(withMemory[0], options)];
    return [...current, ...withMemory.map((folder) => ({ type: 'folder' as const, folder }))];
  }
  switch (node.type) {
    case 'folder':
      return folderChildren(node.folder, options);
    case 'current':
      return node.current.records.map((record) => ({ type: 'record', record, folder: node.current.folder, under: 'current' }));
    case 'group':
      return node.records.map((record) => ({ type: 'record', record, folder: node.folder, under: `file:${node.path}` }));
    case 'section': {
      const items = sectionItems(node.folder, node.section);
      const rows: Node[] = items.map((record) => ({ type: 'record', record, folder: node.folder, under: node.section }));
      const left = sectionCount(node.folder, node.section) - items.length;
      return left > 0 ? [...rows, { type: 'more', section: node.section, folder: node.folder, left }] : rows;
    }
    case 'record': {
      const files: Node[] = (node.record.files ?? []).map((ref) => ({ type: 'file', ref, folder: node.folder }));
      if (node.record.kind === 'goal') {
        const tasks: Node[] = (node.record.tasks ?? []).map((record) => ({ type: 'record', record, folder: node.folder, under: `${node.under}/${node.record.id}` }));
        return [...tasks, ...files];
      }
      return files;
    }
    case 'review':
      return (node.folder.proposals ?? []).map((proposal) => ({ type: 'proposal', proposal, folder: node.folder }));
    case 'more':
    case 'file':
    case 'proposal':
      return [];
  }
}

/** `path`, `path:10-15`, `path#symbol`: a file reference as a user types it. */
export function refLabel(ref: FileRef): string {
  let text = ref.path;
  if (ref.line_start) {
    text += !ref.line_end || ref.line_end === ref.line_start ? `:${ref.line_start}` : `:${ref.line_start}-${ref.line_end}`;
  }
  if (ref.symbol) text += `#${ref.symbol}`;
  return text;
}

/** The absolute file a reference opens, with POSIX or Windows folders alike. */
export function refFile(folder: string, ref: FileRef): string {
  const sep = folder.includes('\\') && !folder.includes('/') ? '\\' : '/';
  const base = folder.endsWith(sep) ? folder.slice(0, -1) : folder;
  return `${base}${sep}${ref.path.split('/').join(sep)}`;
}

/** Text cut to `max` characters on one line. */
export function shorten(text: string, max: number): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

function escape(text: string): string {
  return text.replace(/([\\`*_{}[\]()#+\-.!|<>])/g, '\\$1');
}

function filesLine(files: FileRef[] | undefined): string {
  return files && files.length ? `\n\nFiles: ${files.map((f) => `\`${refLabel(f)}\``).join(', ')}` : '';
}

function taskDescription(task: TaskRecord): string {
  const status = task.status.replace('_', ' ');
  return task.claimant && task.status === 'in_progress' ? `${status} · ${task.claimant}` : status;
}

function recordRow(record: MemoryRecord): Row {
  const hasFiles = (record.files ?? []).length > 0;
  const open: Open = { kind: 'record', id: record.id };
  switch (record.kind) {
    case 'goal': {
      const tasks = record.tasks ?? [];
      const done = tasks.filter((t) => t.status === 'done').length;
      return {
        label: shorten(record.name, LABEL_WIDTH),
        description: `${done}/${tasks.length} done${record.priority ? ` · ${record.priority}` : ''}`,
        tooltip: `**Goal** \`${record.id}\`: ${escape(record.name)}\n\nStatus: ${record.status}${filesLine(record.files)}`,
        icon: record.status === 'done' ? 'pass-filled' : 'target',
        collapsible: tasks.length || hasFiles ? 'collapsed' : 'none',
        contextValue: 'goal',
        open,
      };
    }
    case 'task':
      return {
        label: shorten(record.title, LABEL_WIDTH),
        description: taskDescription(record),
        tooltip:
          `**Task** \`${record.id}\`: ${escape(record.title)}\n\nStatus: ${taskDescription(record)}` +
          filesLine(record.files),
        icon: TASK_ICONS[record.status] ?? 'circle-large-outline',
        collapsible: hasFiles ? 'collapsed' : 'none',
        contextValue: `task-${record.status}`,
        open,
      };
    case 'decision': {
      const killed = record.decision_kind === 'killed';
      return {
        label: shorten(record.what, LABEL_WIDTH),
        description: record.files && record.files.length ? refLabel(record.files[0]) : undefined,
        tooltip:
          `**${killed ? 'Killed' : 'Decision'}** \`${record.id}\`: ${escape(record.what)}` +
          (record.why ? `\n\nWhy: ${escape(record.why)}` : '') +
          filesLine(record.files),
        icon: killed ? 'circle-slash' : 'law',
        collapsible: hasFiles ? 'collapsed' : 'none',
        contextValue: 'decision',
        open,
      };
    }
    case 'lesson':
      return {
        label: shorten(record.text, LABEL_WIDTH),
        description: record.files && record.files.length ? refLabel(record.files[0]) : undefined,
        tooltip:
          `**Lesson** \`${record.id}\`: ${escape(record.text)}` +
          (record.correct_behavior ? `\n\nCorrect behaviour: ${escape(record.correct_behavior)}` : '') +
          `\n\nVerified by: ${escape(record.verified_by || 'human')}` +
          filesLine(record.files),
        icon: 'mortar-board',
        collapsible: hasFiles ? 'collapsed' : 'none',
        contextValue: 'lesson',
        open,
      };
  }
}

const STALE_TIP = '\n\n$(warning) **Stale:** the code it is anchored to changed or is gone. Open it to verify, re-anchor or supersede.';

/** A record's row, marked when stale (its anchored code changed or is gone). */
function markedRow(record: MemoryRecord): Row {
  const r = recordRow(record);
  if (!record.stale) return r;
  return {
    ...r,
    icon: 'warning',
    description: r.description ? `stale · ${r.description}` : 'stale',
    tooltip: `${r.tooltip ?? ''}${STALE_TIP}`,
    contextValue: `${r.contextValue}-stale`,
  };
}

const PROPOSAL_ICONS: Record<string, string> = { lesson: 'mortar-board', decision: 'law', summary: 'tasklist' };
const PROPOSAL_KINDS: Record<string, string> = { lesson: 'lesson', decision: 'decision', summary: 'task summary' };

function proposalRow(p: Proposal): Row {
  const kind = PROPOSAL_KINDS[p.kind] ?? p.kind;
  const from = [p.proposed_by ? `by ${p.proposed_by}` : '', p.session ? `session ${p.session}` : ''].filter(Boolean).join(', ');
  return {
    label: shorten(p.title, LABEL_WIDTH),
    description: p.session ? `${kind} · ${shorten(p.session, 16)}` : kind,
    tooltip: `**Proposed ${kind}** \`${p.id}\`: ${escape(p.title)}${from ? `\n\nProposed ${escape(from)}` : ''}` +
      '\n\nOpen it to accept (as it is or edited) or reject it.',
    icon: PROPOSAL_ICONS[p.kind] ?? 'lightbulb',
    collapsible: 'none',
    contextValue: 'proposal',
    open: { kind: 'proposal', id: p.id },
  };
}

/** How one node is shown. */
export function row(node: Node): Row {
  switch (node.type) {
    case 'review': {
      const count = pendingIn(node.folder);
      return {
        label: 'Pending review',
        description: String(count),
        tooltip: `${count} proposal${count === 1 ? '' : 's'} from sessions wait for you: accept, edit or reject them.`,
        icon: 'inbox',
        collapsible: 'expanded',
        contextValue: 'review',
        open: { kind: 'review' },
      };
    }
    case 'proposal':
      return proposalRow(node.proposal);
    case 'folder':
      return { label: node.folder.name, icon: 'root-folder', collapsible: 'expanded', contextValue: 'folder' };
    case 'current':
      return {
        label: 'Memory for this file',
        description: `${node.current.path} · ${node.current.records.length}`,
        tooltip: `Records that name \`${node.current.path}\` (follows the active editor)`,
        icon: 'file',
        collapsible: 'expanded',
        contextValue: 'current',
      };
    case 'group':
      return {
        label: node.path,
        description: String(node.records.length),
        icon: node.path === NO_FILE ? 'circle-slash' : 'file',
        collapsible: node.records.length <= OPEN_UP_TO ? 'expanded' : 'collapsed',
        contextValue: 'group',
      };
    case 'more':
      return {
        label: `Show ${Math.min(node.left, MORE_STEP)} more…`,
        description: `${node.left} not shown`,
        icon: 'ellipsis',
        collapsible: 'none',
        contextValue: 'more',
        open: { kind: 'more', section: node.section, folder: node.folder.folder },
      };
    case 'section': {
      const count = sectionCount(node.folder, node.section);
      // Goals and Lessons are what a user opens the view for; long lists start folded
      const open = node.section === 'goals' || node.section === 'lessons' || count <= OPEN_UP_TO;
      return {
        label: SECTION_TITLES[node.section],
        description: String(count),
        collapsible: count ? (open ? 'expanded' : 'collapsed') : 'none',
        contextValue: `section-${node.section}`,
      };
    }
    case 'record':
      return markedRow(node.record);
    case 'file': {
      const ref = node.ref;
      const open: Open | undefined = ref.glob
        ? undefined
        : {
            kind: 'file',
            file: refFile(node.folder.folder, ref),
            startLine: ref.line_start ?? undefined,
            endLine: ref.line_end ?? ref.line_start ?? undefined,
          };
      return {
        label: refLabel(ref),
        description: ref.glob ? 'glob' : undefined,
        icon: ref.glob ? 'files' : 'file',
        collapsible: 'none',
        contextValue: 'file',
        open,
      };
    }
  }
}

/** How many more rows one "Show more" adds. */
export const MORE_STEP = 200;

// Tasks: status bar and pickers -------------------------------------------------------------------
export interface TaskInFolder {
  task: TaskRecord;
  folder: FolderMemory;
}

/** Every task of every folder (goal tasks and tasks without a goal). */
export function allTasks(tree: MemoryTree | undefined): TaskInFolder[] {
  const out: TaskInFolder[] = [];
  for (const folder of tree?.folders ?? []) {
    for (const goal of folder.goals ?? []) for (const task of goal.tasks ?? []) out.push({ task, folder });
    for (const task of folder.tasks ?? []) out.push({ task, folder });
  }
  return out;
}

/** Tasks in progress, the user's own first. */
export function inProgress(tree: MemoryTree | undefined): TaskInFolder[] {
  const me = tree?.agent;
  const working = allTasks(tree).filter((t) => t.task.status === 'in_progress');
  return [...working.filter((t) => t.task.claimant === me), ...working.filter((t) => t.task.claimant !== me)];
}

/** Tasks that can be started: ready ones (blockers done) when the server says so, else every todo. */
export function startable(tree: MemoryTree | undefined): TaskInFolder[] {
  return allTasks(tree).filter((t) => t.task.status === 'todo' && t.task.ready !== false);
}

export interface StatusText {
  text: string;
  tooltip: string;
  /** The command a click runs. */
  command: 'imi.ui.completeTask' | 'imi.ui.startTask';
}

/** The status bar item: the task in progress (the user's own first), or an invitation to start one. */
export function statusText(tree: MemoryTree | undefined): StatusText | undefined {
  if (!tree || !tree.folders.some((f) => f.memory)) return undefined;
  const working = inProgress(tree);
  if (working.length === 0) {
    return { text: '$(circle-large-outline) IMI: no task in progress', tooltip: 'IMI: start a task', command: 'imi.ui.startTask' };
  }
  const first = working[0].task;
  const more = working.length > 1 ? ` +${working.length - 1}` : '';
  const who = first.claimant === tree.agent ? 'you' : first.claimant ?? 'someone';
  const lines = working.map((t) => `${t.task.title} (${t.task.id}) · ${t.task.claimant ?? 'someone'}`);
  return {
    text: `$(play-circle) ${shorten(first.title, 40)}${more}`,
    tooltip: `IMI: in progress (${who}${more ? ` and ${working.length - 1} more` : ''})\n${lines.join('\n')}\nClick to complete it.`,
    command: 'imi.ui.completeTask',
  };
}

/** The review status bar item: how many proposals wait (nothing when none). */
export function reviewStatusText(tree: MemoryTree | undefined): { text: string; tooltip: string } | undefined {
  const count = pendingCount(tree);
  if (!count) return undefined;
  return {
    text: `$(inbox) ${count} to review`,
    tooltip: `IMI: ${count} proposal${count === 1 ? '' : 's'} from sessions wait for review. Click to review.`,
  };
}

/** The proposal a view row stands for (the inline Accept/Reject buttons pass their row), else undefined. */
export function proposalIdOf(arg: unknown): string | undefined {
  if (!arg || typeof arg !== 'object') return undefined;
  const node = arg as Partial<Node>;
  return node.type === 'proposal' && node.proposal ? node.proposal.id : undefined;
}

/** A choice in a task picker. */
export interface TaskChoice {
  label: string;
  description: string;
  id: string;
  folder: string;
}

export function taskChoices(tasks: TaskInFolder[], multiFolder: boolean): TaskChoice[] {
  return tasks.map(({ task, folder }) => ({
    label: shorten(task.title, 80),
    description: [task.id, task.priority, task.status === 'in_progress' ? task.claimant : undefined, multiFolder ? folder.name : undefined]
      .filter(Boolean)
      .join(' · '),
    id: task.id,
    folder: folder.folder,
  }));
}

/** The task a view row stands for (the inline Start/Complete buttons pass their row), else undefined. */
export function taskIdOf(arg: unknown): string | undefined {
  if (!arg || typeof arg !== 'object') return undefined;
  const node = arg as Partial<Node>;
  return node.type === 'record' && node.record?.kind === 'task' ? node.record.id : undefined;
}

/**
 * Pages (what `imi.readView` answers) and search results (what `imi.find` answers), and what the
 * editor makes of them: view keys, file links with line ranges, questions an action needs,
 * QuickPick items. Pure, so it is unit-tested without VS Code.
 */
import { Server } from './protocol';

/** One action a page offers: a server command with its arguments. */
export interface PageAction {
  title: string;
  command: string;
  arguments?: unknown[];
  /** What to ask the user first ("summary", "what,why"): LSP cannot ask for text. */
  ask?: string;
  /** The answers' starting text, by key (accepting a proposal edited starts from its text). */
  values?: Record<string, string>;
  /** The server's own question for a key, when it differs from the usual one. */
  prompts?: Record<string, string>;
}

export interface Page {
  title: string;
  markdown: string;
  actions: PageAction[];
  id?: string;
  kind?: string;
  /** The workspace folder its relative file links start from. */
  root?: string;
}

/** What to show: one record, the records behind a lens, a file's memory, the context. */
export type ViewRequest =
  | { view: 'record'; id: string }
  | { view: 'records'; uri: string; start?: number; end?: number }
  | { view: 'file'; uri: string }
  | { view: 'context'; uri?: string }
  | { view: 'review' }
  | { view: 'proposal'; id: string };

/** One view per thing shown: opening it again brings it forward. */
export function viewKey(request: ViewRequest): string {
  switch (request.view) {
    case 'record':
      return `record:${request.id}`;
    case 'records':
      return `records:${request.uri}:${request.start ?? ''}-${request.end ?? ''}`;
    case 'file':
      return `file:${request.uri}`;
    case 'context':
      return 'context';
    case 'review':
      return 'review';
    case 'proposal':
      return `proposal:${request.id}`;
  }
}

/** The view an `imi:` link of a page opens: `imi:record/ID`, `imi:proposal/ID`, `imi:review`. */
export function viewForLink(href: string): ViewRequest | undefined {
  const match = /^imi:(record|proposal)\/(.+)$/.exec(href);
  if (match) return { view: match[1] as 'record' | 'proposal', id: decodeURIComponent(match[2]) };
  return href === 'imi:review' ? { view: 'review' } : undefined;
}

/**
 * The view a server command stands for, when the extension shows it itself (lens clicks, hover
 * links and code actions name `imi.showRecord` and friends). Undefined: let the server run it.
 */
export function viewFor(command: string, args: unknown[]): ViewRequest | undefined {
  const first = args[0];
  const options = first && typeof first === 'object' ? (first as Record<string, unknown>) : undefined;
  const text = (value: unknown) => (typeof value === 'string' && value ? value : undefined);
  const line = (value: unknown) => (typeof value === 'number' && value >= 1 ? value : undefined);
  switch (command) {
    case Server.showRecord: {
      const id = text(options ? options.id : first);
      return id ? { view: 'record', id } : undefined;
    }
    case Server.showRecords: {
      const uri = text(options ? options.uri : first);
      if (!uri) return undefined;
      const start = line(options ? options.start : args[1]);
      const end = line(options ? options.end : args[2]) ?? start;
      return start ? { view: 'records', uri, start, end } : { view: 'records', uri };
    }
    case Server.showFileMemory: {
      const uri = text(options ? options.uri : first);
      return uri ? { view: 'file', uri } : undefined;
    }
    case Server.showContext: {
      const uri = text(options ? options.uri : first);
      return uri ? { view: 'context', uri } : { view: 'context' };
    }
    default:
      return undefined;
  }
}

/**
 * A link of a page to a file: a path relative to the page's `root` (or a `file:` URI), with a
 * `#L10-L15` fragment for its lines. Undefined for other links (web addresses, `imi:` records).
 */
export function parseFileLink(href: string, root?: string): { path: string; startLine?: number; endLine?: number } | undefined {
  const [target, fragment = ''] = href.split('#', 2);
  let path: string;
  if (target.startsWith('file://')) path = decodeURIComponent(target.slice('file://'.length));
  else if (/^[a-z][a-z0-9+.-]*:/i.test(target) || !root || !target) return undefined;
  else path = `${root.replace(/[\\/]$/, '')}/${decodeURIComponent(target)}`;
  const lines = /^L(\d+)(?:-L?(\d+))?$/.exec(fragment);
  if (!lines) return { path };
  const startLine = Number(lines[1]);
  return { path, startLine, endLine: lines[2] ? Number(lines[2]) : startLine };
}

export interface Question {
  key: string;
  prompt: string;
  placeHolder: string;
  /** The text the answer starts from. */
  value?: string;
}

const QUESTIONS: Record<string, Question> = {
  summary: { key: 'summary', prompt: 'What was done? (a summary for whoever comes next)', placeHolder: 'e.g. added the importer with tests' },
  what: { key: 'what', prompt: 'What replaces it? (the new decision)', placeHolder: 'e.g. keep two connections: one reader, one writer' },
  why: { key: 'why', prompt: 'Why?', placeHolder: 'e.g. the importer must not stall readers' },
  text: { key: 'text', prompt: 'What went wrong?', placeHolder: 'e.g. the parser test failed until parse() returned the tree' },
  correctBehavior: { key: 'correctBehavior', prompt: 'What is the correct behaviour?', placeHolder: 'e.g. return the tree, not a list' },
};

/** The questions an action asks before it runs, in order, with the server's wording and starting text. */
export function answersFor(action: PageAction): Question[] {
  return (action.ask ?? '')
    .split(',')
    .map((key) => key.trim())
    .filter((key) => QUESTIONS[key] !== undefined)
    .map((key) => ({
      ...QUESTIONS[key],
      ...(action.prompts?.[key] ? { prompt: action.prompts[key] } : {}),
      ...(action.values?.[key] !== undefined ? { value: action.values[key] } : {}),
    }));
}

// search as you type ------------------------------------------------------------------------------
export interface FoundFile {
  path: string;
  uri: string;
  line_start?: number | null;
  line_end?: number | null;
}

export interface Found {
  kind: string;
  id: string;
  title: string;
  snippet?: string;
  file?: FoundFile | null;
  age?: string;
  status?: string | null;
}

export const KIND_ICONS: Record<string, string> = {
  lesson: 'mortar-board',
  decision: 'law',
  task: 'tasklist',
  goal: 'target',
  note: 'note',
  memory: 'database',
};

/** A QuickPick row: kind icon and title; then the file (and lines) it names, kind, age and id. */
export function pickItem(found: Found): { label: string; detail: string } {
  const icon = KIND_ICONS[found.kind] ?? 'circle-outline';
  const title = found.title.length > 90 ? `${found.title.slice(0, 89)}…` : found.title;
  let where = '';
  if (found.file) {
    where = found.file.path;
    if (found.file.line_start) {
      const end = found.file.line_end && found.file.line_end !== found.file.line_start ? `-${found.file.line_end}` : '';
      where += `:${found.file.line_start}${end}`;
    }
  }
  const status = found.kind === 'task' && found.status ? found.status.replace('_', ' ') : '';
  // the file leads the second line: a long title would push it out of sight on the first
  return {
    label: `$(${icon}) ${title}`,
    detail: [where, found.kind, status, found.age, found.id].filter(Boolean).join(' · '),
  };
}

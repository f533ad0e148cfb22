/**
 * Which command starts the language server, and what to tell the user when none does.
 *
 * Pure: the file system and the environment come in as arguments, so the order of
 * the candidates and the wording of the failure are unit-tested without VS Code.
 */
import * as path from 'path';

/** One way to start the server. `probe` says whether it must be tried first (a Python that may lack imi_lsp). */
export interface Candidate {
  command: string;
  args: string[];
  /** Where it came from, for the log and the error message. */
  origin: string;
  probe: boolean;
}

export interface LaunchSettings {
  /** `imi.server.command`: an explicit command line; wins over everything. */
  command: string[];
  /** `imi.server.python`: an interpreter with imi-memory installed. */
  python: string;
  /** `imi.server.db`: one database for every folder. */
  db: string;
}

export interface Environment {
  /** `PATH` as the extension host sees it. */
  pathVariable: string;
  /** The workspace folders on disk (their `.venv` is tried only when the workspace is trusted). */
  folders: string[];
  trusted: boolean;
  /** The user's home folder: pipx puts `imi-lsp` in ~/.local/bin, which a GUI editor's PATH may lack. */
  home?: string;
  /** The interpreter the Python extension selected, if any. */
  selectedPython?: string;
  platform: NodeJS.Platform;
  isExecutable(file: string): boolean;
}

/** Where `name` is on a PATH-like variable, or undefined. */
export function which(name: string, env: Pick<Environment, 'pathVariable' | 'platform' | 'isExecutable'>): string | undefined {
  const sep = env.platform === 'win32' ? ';' : ':';
  const names = env.platform === 'win32' ? [`${name}.exe`, `${name}.cmd`, name] : [name];
  for (const dir of env.pathVariable.split(sep)) {
    if (!dir) continue;
    for (const n of names) {
      const file = path.join(dir, n);
      if (env.isExecutable(file)) return file;
    }
  }
  return undefined;
}

/** The candidates in the order they are tried. */
export function candidates(settings: LaunchSettings, env: Environment): Candidate[] {
  const extra = settings.db.trim() ? ['--db', settings.db.trim()] : [];
  const explicit = settings.command.filter((part) => part.trim() !== '');
  if (explicit.length > 0) {
    return [{ command: explicit[0], args: [...explicit.slice(1), ...extra], origin: 'imi.server.command', probe: false }];
  }
  const found: Candidate[] = [];
  const bin = env.platform === 'win32' ? 'Scripts' : 'bin';
  const exe = env.platform === 'win32' ? 'imi-lsp.exe' : 'imi-lsp';
  if (env.trusted) {
    for (const folder of env.folders) {
      const local = path.join(folder, '.venv', bin, exe);
      if (env.isExecutable(local)) found.push({ command: local, args: extra, origin: `${path.basename(folder)}/.venv`, probe: false });
    }
  }
  const onPath = which('imi-lsp', env);
  if (onPath) found.push({ command: onPath, args: extra, origin: 'PATH', probe: false });
  const pipx = env.home && env.platform !== 'win32' ? path.join(env.home, '.local', 'bin', exe) : undefined;
  if (pipx && pipx !== onPath && env.isExecutable(pipx)) found.push({ command: pipx, args: extra, origin: '~/.local/bin', probe: false });
  const pythons: Array<[string, string]> = [];
  if (settings.python.trim()) pythons.push([settings.python.trim(), 'imi.server.python']);
  if (env.selectedPython) pythons.push([env.selectedPython, 'the selected Python interpreter']);
  if (!settings.python.trim()) pythons.push([env.platform === 'win32' ? 'python' : 'python3', 'PATH']);
  const seen = new Set<string>();
  for (const [python, origin] of pythons) {
    if (seen.has(python)) continue;
    seen.add(python);
    found.push({ command: python, args: ['-m', 'imi_lsp', ...extra], origin, probe: true });
  }
  return found;
}

/** The arguments that check a Python candidate can import the server (quickly, without starting it). */
export function probeArgs(): string[] {
  return ['-c', 'import imi_lsp'];
}

export interface Attempt {
  candidate: Candidate;
  /** Why it did not work: the last line of stderr, or the spawn error. */
  problem: string;
}

/** A command line as the user would type it. */
export function commandLine(candidate: Candidate): string {
  return [candidate.command, ...candidate.args].map((p) => (/\s/.test(p) ? `"${p}"` : p)).join(' ');
}

/** The one message shown when no candidate starts the server. */
export function failureMessage(attempts: Attempt[]): string {
  const explicit = attempts.find((a) => a.candidate.origin === 'imi.server.command');
  if (explicit) {
    return (
      `IMI: cannot start the language server with "imi.server.command" (${commandLine(explicit.candidate)}): ` +
      `${explicit.problem}. Fix the setting, or clear it to use imi-lsp from PATH.`
    );
  }
  const tried = attempts.length
    ? attempts.map((a) => `${commandLine(a.candidate)} (${a.candidate.origin}): ${a.problem}`).join('; ')
    : 'nothing to try';
  return (
    'IMI: cannot start the language server: imi-lsp is not on PATH and no Python here has imi_lsp ' +
    `(tried ${tried}). Install it with "pip install imi-memory" (or pipx), or set "imi.server.command".`
  );
}

/** The last non-empty line of a process's stderr, shortened: what went wrong, in one line. */
export function lastLine(stderr: string, fallback: string): string {
  const lines = stderr.split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== '');
  const line = lines.length ? lines[lines.length - 1] : fallback;
  return line.length > 200 ? `${line.slice(0, 197)}...` : line;
}

/** How an agent host starts IMI's MCP server (`imi mcp`): the same installation as the language server. */
export interface McpServer {
  command: string;
  args: string[];
  env: Record<string, string>;
}

/**
 * The MCP server beside the language server a candidate starts: `imi mcp` next to `imi-lsp`, or
 * `python -m imi_cli mcp` with the same Python. Undefined for an explicit command of the user's
 * (nothing says where its `imi` is). `db` pins the project's memory, as hosts start MCP servers in
 * folders of their own choosing.
 */
export function mcpServer(candidate: Candidate, db: string | undefined, platform: NodeJS.Platform, agent = 'cursor'): McpServer | undefined {
  const env: Record<string, string> = { IMI_AGENT_ID: agent, ...(db ? { IMI_DB: db } : {}) };
  const module = candidate.args.indexOf('-m');
  if (module >= 0 && candidate.args[module + 1] === 'imi_lsp') {
    return { command: candidate.command, args: ['-m', 'imi_cli', 'mcp'], env };
  }
  const lsp = platform === 'win32' ? 'imi-lsp.exe' : 'imi-lsp';
  if (candidate.origin === 'imi.server.command' || path.basename(candidate.command) !== lsp) return undefined;
  const imi = path.join(path.dirname(candidate.command), platform === 'win32' ? 'imi.exe' : 'imi');
  return { command: imi, args: ['mcp'], env };
}

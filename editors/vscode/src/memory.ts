/**
 * The memory the view and the status bar show, fetched from the server (`imi.memoryTree`) and
 * fetched again when the database changes on disk (the CLI, another agent) or a command wrote.
 */
import * as vscode from 'vscode';

import { CurrentFile, MemoryRecord, MemoryTree, MORE_STEP, SectionName, ViewOptions } from './model';
import { Server } from './protocol';
import { ImiServer } from './server';

const DEBOUNCE_MS = 300;

export type MemoryState = 'starting' | 'ready' | 'noMemory' | 'failed' | 'unsupported';

export class Memory implements vscode.Disposable {
  tree: MemoryTree | undefined;
  state: MemoryState = 'starting';
  /** How the view is arranged, and the records of the active editor's file. */
  readonly view: ViewOptions = { byFile: false };
  /** How many decisions and lessons to fetch (grows with "Show more"). */
  private readonly limits: Partial<Record<SectionName, number>> = {};
  private readonly emitter = new vscode.EventEmitter<void>();
  readonly onDidChange = this.emitter.event;
  private readonly loaded = new vscode.EventEmitter<void>();
  /** Fired when the memory was read again (not when only the active editor changed). */
  readonly onDidLoad = this.loaded.event;
  private timer: NodeJS.Timeout | undefined;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly server: ImiServer, private readonly output: vscode.LogOutputChannel) {
    // WAL mode: a write by another process touches state.db-wal first, state.db at checkpoints
    const watcher = vscode.workspace.createFileSystemWatcher('**/.imi/state.db*');
    for (const event of [watcher.onDidChange, watcher.onDidCreate, watcher.onDidDelete]) {
      this.disposables.push(event(() => this.refreshSoon()));
    }
    this.disposables.push(
      watcher,
      server.onDidChangeState((state) => {
        if (state === 'running') this.refreshSoon();
        else if (state === 'failed') this.set(undefined, 'failed');
      }),
      vscode.workspace.onDidChangeWorkspaceFolders(() => this.refreshSoon()),
      // a proposal arrived or was decided: the server noticed the write (its data_version poll)
      server.onDidChangePending(() => this.refreshSoon()),
      vscode.window.onDidChangeActiveTextEditor(() => void this.followEditor().then(() => this.emitter.fire())),
    );
  }

  /** Arrange the view by file (true) or by kind. */
  setByFile(byFile: boolean): void {
    this.view.byFile = byFile;
    void vscode.commands.executeCommand('setContext', 'imi.byFile', byFile);
    this.emitter.fire();
  }

  /** Fetch the next page of a section. */
  async showMore(section: SectionName): Promise<void> {
    const shown = this.tree?.folders.reduce((n, f) => Math.max(n, (f[section] ?? []).length), 0) ?? 0;
    this.limits[section] = shown + MORE_STEP;
    await this.refresh();
  }

  /** "Memory for this file": the records naming the active editor's file (none for other editors). */
  private async followEditor(): Promise<void> {
    const uri = vscode.window.activeTextEditor?.document.uri;
    const folder = uri && uri.scheme === 'file' ? this.tree?.folders.find((f) => f.memory && isInside(uri.fsPath, f.folder)) : undefined;
    if (!uri || !folder || !this.server.offers(Server.fileRecords)) {
      if (uri?.scheme === 'file' || !uri) this.view.current = undefined;  // keep it while a view or the output has focus
      return;
    }
    try {
      const answer = await this.server.execute<{ records: MemoryRecord[]; path: string | null }>(Server.fileRecords, { uri: uri.toString() });
      this.view.current = answer?.path ? ({ path: answer.path, folder, records: answer.records } as CurrentFile) : undefined;
    } catch (err) {
      this.output.warn(`reading the memory for ${uri.fsPath}: ${err instanceof Error ? err.message : err}`);
    }
  }

  /** Fetch again after a short pause (writes come in bursts). */
  refreshSoon(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.refresh(), DEBOUNCE_MS);
  }

  async refresh(): Promise<void> {
    if (this.server.state !== 'running') return;
    if (!this.server.offers(Server.memoryTree)) {
      this.output.warn(`this imi-lsp has no ${Server.memoryTree} command: update imi-memory to see the Project Memory view`);
      this.set(undefined, 'unsupported');
      return;
    }
    try {
      const args = Object.keys(this.limits).length ? [{ limits: this.limits }] : [];
      const tree = await this.server.execute<MemoryTree>(Server.memoryTree, ...args);
      const ok = tree && Array.isArray(tree.folders);
      this.tree = ok ? tree : undefined;
      await this.followEditor();
      this.set(ok ? tree : undefined, ok && tree.folders.some((f) => f.memory) ? 'ready' : 'noMemory');
    } catch (err) {
      this.output.warn(`reading the memory: ${err instanceof Error ? err.message : err}`);
    }
  }

  private set(tree: MemoryTree | undefined, state: MemoryState): void {
    this.tree = tree;
    this.state = state;
    void vscode.commands.executeCommand('setContext', 'imi.state', state);
    this.emitter.fire();
    this.loaded.fire();
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    for (const d of this.disposables) d.dispose();
    this.emitter.dispose();
    this.loaded.dispose();
  }
}

function isInside(file: string, folder: string): boolean {
  const base = folder.endsWith('/') || folder.endsWith('\\') ? folder : `${folder}${folder.includes('\\') && !folder.includes('/') ? '\\' : '/'}`;
  return file.startsWith(base);
}

/**
 * The memory the view and the status bar show, fetched from the server (`imi.memoryTree`) and
 * fetched again when the database changes on disk (the CLI, another agent) or a command wrote.
 */
import * as vscode from 'vscode';

import { MemoryTree } from './model';
import { Server } from './protocol';
import { ImiServer } from './server';

const DEBOUNCE_MS = 300;

export type MemoryState = 'starting' | 'ready' | 'noMemory' | 'failed' | 'unsupported';

export class Memory implements vscode.Disposable {
  tree: MemoryTree | undefined;
  state: MemoryState = 'starting';
  private readonly emitter = new vscode.EventEmitter<void>();
  readonly onDidChange = this.emitter.event;
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
    );
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
      const tree = await this.server.execute<MemoryTree>(Server.memoryTree);
      const ok = tree && Array.isArray(tree.folders);
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
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    for (const d of this.disposables) d.dispose();
    this.emitter.dispose();
  }
}

/** IMI Project Memory for VS Code and Cursor: the language client, the view, the status bar, the tools. */
import * as vscode from 'vscode';

import { registerCommands } from './commands';
import { registerWithCursor } from './cursor';
import { Memory } from './memory';
import { ImiServer } from './server';
import { needsRestart } from './settings';
import { createStatusItem } from './status';
import { registerTools } from './tools';
import { MemoryTreeProvider } from './tree';
import { Views } from './views';

let server: ImiServer | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const output = vscode.window.createOutputChannel('IMI Project Memory', { log: true });
  let cursor: vscode.Disposable | undefined;
  server = new ImiServer(output);
  const memory = new Memory(server, output);
  const views = new Views(server, output, () => memory.refreshSoon());
  server.showView = (request) => views.open(request);
  void vscode.commands.executeCommand('setContext', 'imi.state', 'starting');
  context.subscriptions.push(
    output,
    server,
    memory,
    views,
    memory.onDidLoad(() => views.refreshAll()),
    vscode.window.registerTreeDataProvider('imi.memory', new MemoryTreeProvider(memory)),
    createStatusItem(memory),
    ...registerCommands(server, memory, views, output),
    ...registerTools(server),
    server.onDidLaunch((candidate) => {
      cursor?.dispose();
      cursor = registerWithCursor(candidate, output);
    }),
    { dispose: () => cursor?.dispose() },
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (needsRestart((section) => event.affectsConfiguration(section))) void server?.restart();
    }),
  );
  await server.start();
}

export async function deactivate(): Promise<void> {
  await server?.stop();
  server = undefined;
}

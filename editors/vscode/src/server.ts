/**
 * The language server connection: find a command that starts `imi-lsp`, start the client,
 * restart it when the way to start it changes, and run the server's commands.
 */
import { execFile } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as vscode from 'vscode';
import {
  ExecuteCommandRequest,
  LanguageClient,
  LanguageClientOptions,
  ServerOptions,
  State,
  TransportKind,
} from 'vscode-languageclient/node';

import { Attempt, Candidate, candidates, commandLine, failureMessage, lastLine, probeArgs } from './launch';
import { ViewRequest, viewFor } from './pages';
import { Notification, Server } from './protocol';
import { initializationOptions } from './settings';

export type ServerState = 'starting' | 'running' | 'failed' | 'stopped';

/** Server commands the hovers and lenses may link to (markdown `command:` links). */
const LINKED_COMMANDS = [Server.showRecord, Server.showRecords, Server.showFileMemory, Server.acknowledgeLesson];

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/** The interpreter the Python extension selected for the first folder, when it is installed. */
async function selectedPython(): Promise<string | undefined> {
  const python = vscode.extensions.getExtension('ms-python.python');
  if (!python) return undefined;
  try {
    const api = python.isActive ? python.exports : await python.activate();
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    const env = api?.environments?.getActiveEnvironmentPath?.(folder);
    return typeof env?.path === 'string' && env.path ? env.path : undefined;
  } catch {
    return undefined;
  }
}

/** Whether a Python can import the server: undefined if so, else why not (one line). */
function probe(candidate: Candidate): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile(candidate.command, probeArgs(), { timeout: 20000 }, (error, _stdout, stderr) => {
      if (!error) resolve(undefined);
      else if ((error as NodeJS.ErrnoException).code === 'ENOENT') resolve('not found');
      else resolve(lastLine(String(stderr), error.message));
    });
  });
}

export class ImiServer implements vscode.Disposable {
  private client: LanguageClient | undefined;
  private starting: Promise<LanguageClient | undefined> | undefined;
  private readonly stateEmitter = new vscode.EventEmitter<ServerState>();
  readonly onDidChangeState = this.stateEmitter.event;
  state: ServerState = 'stopped';
  /** The message shown when the server could not be started. */
  failure: string | undefined;
  /** What started the running server (its MCP sibling is registered with Cursor). */
  launched: Candidate | undefined;
  private readonly launchEmitter = new vscode.EventEmitter<Candidate>();
  readonly onDidLaunch = this.launchEmitter.event;
  private readonly pendingEmitter = new vscode.EventEmitter<number>();
  /** The server says how many proposals wait for review, whenever that changed (a hook captured one). */
  readonly onDidChangePending = this.pendingEmitter.event;
  /** Shows a view itself (set by the extension): lens clicks, hover links and code actions that open views land here. */
  showView: ((request: ViewRequest) => Promise<void>) | undefined;

  constructor(private readonly output: vscode.LogOutputChannel) {}

  private setState(state: ServerState): void {
    this.state = state;
    this.stateEmitter.fire(state);
  }

  /** Start the server unless it runs or is starting; resolves to the client, or undefined when it failed. */
  start(): Promise<LanguageClient | undefined> {
    if (this.client && this.state === 'running') return Promise.resolve(this.client);
    if (!this.starting) {
      this.starting = this.launch().finally(() => {
        this.starting = undefined;
      });
    }
    return this.starting;
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  async stop(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (client) {
      try {
        await client.stop(5000);
      } catch (err) {
        this.output.warn(`stopping the server: ${err}`);
      }
      await client.dispose();
    }
    this.setState('stopped');
  }

  private async findCommand(): Promise<{ found?: Candidate; attempts: Attempt[] }> {
    const config = vscode.workspace.getConfiguration('imi');
    const list = candidates(
      {
        command: config.get<string[]>('server.command') ?? [],
        python: config.get<string>('server.python') ?? '',
        db: config.get<string>('server.db') ?? '',
      },
      {
        pathVariable: process.env.PATH ?? '',
        folders: (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.fsPath),
        trusted: vscode.workspace.isTrusted,
        home: os.homedir(),
        selectedPython: await selectedPython(),
        platform: process.platform,
        isExecutable,
      },
    );
    const attempts: Attempt[] = [];
    for (const candidate of list) {
      if (!candidate.probe && candidate.origin !== 'imi.server.command') return { found: candidate, attempts };
      const problem = candidate.probe
        ? await probe(candidate)
        : isExecutable(candidate.command) || !candidate.command.includes('/')
          ? undefined
          : 'not an executable file';
      if (problem === undefined) return { found: candidate, attempts };
      attempts.push({ candidate, problem });
      this.output.info(`cannot use ${commandLine(candidate)}: ${problem}`);
    }
    return { attempts };
  }

  private async launch(): Promise<LanguageClient | undefined> {
    this.setState('starting');
    this.failure = undefined;
    const { found, attempts } = await this.findCommand();
    if (!found) {
      this.output.info(`PATH of the extension host: ${process.env.PATH ?? ''}`);
      this.fail(failureMessage(attempts));
      return undefined;
    }
    this.output.info(`starting ${commandLine(found)} (from ${found.origin})`);
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    const serverOptions: ServerOptions = {
      command: found.command,
      args: found.args,
      transport: TransportKind.stdio,
      options: { cwd: folder, env: { ...process.env } },
    };
    const clientOptions: LanguageClientOptions = {
      documentSelector: [{ scheme: 'file' }],
      initializationOptions: initializationOptions((key) => vscode.workspace.getConfiguration('imi').get(key)),
      synchronize: { configurationSection: 'imi' },
      outputChannel: this.output,
      markdown: { isTrusted: { enabledCommands: LINKED_COMMANDS } },
      connectionOptions: { maxRestartCount: 3 },
      middleware: {
        // a view the server would write to a file and open as an editor is rendered here instead
        executeCommand: async (command, args, next) => {
          const request = this.showView ? viewFor(command, args) : undefined;
          if (!request || !this.showView) return next(command, args);
          await this.showView(request);
          return undefined;
        },
      },
    };
    const client = new LanguageClient('imi', 'IMI Project Memory', serverOptions, clientOptions);
    client.onDidChangeState((event) => {
      if (client !== this.client) return;
      if (event.newState === State.Running) this.setState('running');
      else if (event.newState === State.Stopped && this.state === 'running') this.setState('stopped');
    });
    client.onNotification(Notification.pendingReview, (params: { count?: unknown }) => {
      if (client === this.client && typeof params?.count === 'number') this.pendingEmitter.fire(params.count);
    });
    this.client = client;
    try {
      await client.start();
    } catch (err) {
      this.client = undefined;
      this.fail(`IMI: the language server (${commandLine(found)}) did not start: ${err instanceof Error ? err.message : err}`);
      return undefined;
    }
    this.launched = found;
    this.setState('running');
    this.launchEmitter.fire(found);
    return client;
  }

  private fail(message: string): void {
    this.failure = message;
    this.output.error(message);
    this.setState('failed');
    void vscode.window.showErrorMessage(message, 'Open Settings', 'Show Log').then((choice) => {
      if (choice === 'Open Settings') void vscode.commands.executeCommand('workbench.action.openSettings', 'imi.server');
      else if (choice === 'Show Log') this.output.show();
    });
  }

  /** Whether the running server offers a command (older servers lack newer ones). */
  offers(command: string): boolean {
    const commands = this.client?.initializeResult?.capabilities.executeCommandProvider?.commands ?? [];
    return commands.includes(command);
  }

  /**
   * Run a server command with explicit arguments (never the palette's empty list) and return
   * its answer. Throws when the server is not running; the server reports its own failures.
   */
  async execute<T>(command: string, ...args: unknown[]): Promise<T | undefined> {
    const client = await this.start();
    if (!client) throw new Error(this.failure ?? 'IMI: the language server is not running');
    return (await client.sendRequest(ExecuteCommandRequest.type, { command, arguments: args })) as T | undefined;
  }

  dispose(): void {
    void this.stop();
    this.stateEmitter.dispose();
    this.launchEmitter.dispose();
    this.pendingEmitter.dispose();
  }
}

/**
 * Language Model Tools: Copilot agent mode and other in-editor agents read the project memory
 * through these (declared in package.json `languageModelTools`). The text comes from the server,
 * the same as `imi context` and `imi context --file` print.
 */
import * as path from 'path';
import * as fs from 'fs';
import * as vscode from 'vscode';

import { Server } from './protocol';
import { ImiServer } from './server';

export const CONTEXT_TOOL = 'imi_context';
export const FILE_TOOL = 'imi_file_memory';

/** What `imi.readContext` and `imi.readFileMemory` answer: the text, or why there is none. */
interface Answer {
  text?: string;
  error?: string;
}

/** A path the model gave (absolute, or relative to a workspace folder) as a file URI. */
export function fileUri(given: string): vscode.Uri | undefined {
  if (path.isAbsolute(given)) return vscode.Uri.file(given);
  const folders = vscode.workspace.workspaceFolders ?? [];
  const existing = folders.find((f) => fs.existsSync(path.join(f.uri.fsPath, given)));
  const folder = existing ?? folders[0];
  return folder ? vscode.Uri.joinPath(folder.uri, given) : undefined;
}

function result(text: string): vscode.LanguageModelToolResult {
  return new vscode.LanguageModelToolResult([new vscode.LanguageModelTextPart(text)]);
}

export function registerTools(server: ImiServer): vscode.Disposable[] {
  if (typeof vscode.lm?.registerTool !== 'function') return []; // editors without the API (older forks)
  const ask = async (command: string, args: Record<string, unknown>): Promise<string> => {
    try {
      const answer = await server.execute<Answer>(command, args);
      return answer?.text ?? (answer?.error ? `IMI: ${answer.error}` : 'IMI: the language server returned nothing.');
    } catch (err) {
      return err instanceof Error ? err.message : String(err);
    }
  };
  return [
    vscode.lm.registerTool<Record<string, never>>(CONTEXT_TOOL, {
      prepareInvocation: () => ({ invocationMessage: 'Reading the project memory' }),
      invoke: async () => {
        const folder = vscode.workspace.workspaceFolders?.[0];
        return result(await ask(Server.readContext, folder ? { uri: folder.uri.toString() } : {}));
      },
    }),
    vscode.lm.registerTool<{ path: string }>(FILE_TOOL, {
      prepareInvocation: (options) => ({ invocationMessage: `Reading the project memory for ${options.input.path}` }),
      invoke: async (options) => {
        const uri = typeof options.input?.path === 'string' ? fileUri(options.input.path) : undefined;
        if (!uri) return result('IMI: give the file as a path inside the workspace.');
        return result(await ask(Server.readFileMemory, { uri: uri.toString() }));
      },
    }),
  ];
}

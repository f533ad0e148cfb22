/**
 * Palette commands. Each collects what it needs (input boxes, pickers, the cursor's file and
 * selection) and calls the server command with explicit arguments: the palette itself would
 * send an empty argument list, which says nothing about where the user is.
 */
import * as vscode from 'vscode';

import { anchor, Anchor, anchorLabel, answer, decisionArgs, lessonArgs, noteArgs } from './args';
import { Memory } from './memory';
import { allTasks, inProgress, Open, proposalIdOf, startable, TaskChoice, taskChoices, taskIdOf } from './model';
import { Server } from './protocol';
import { searchMemory } from './search';
import { ImiServer } from './server';
import { openNode, OPEN_COMMAND } from './tree';
import { Views } from './views';

interface Here {
  where: Anchor;
  label: string;
}

/** The active file and selection as an anchor, with how it reads ("src/app.py:10-15"). */
function here(): Here | undefined {
  const editor = vscode.window.activeTextEditor;
  if (!editor || editor.document.uri.scheme !== 'file') return undefined;
  const selection = editor.selection.isEmpty ? undefined : editor.selection;
  const relative = vscode.workspace.asRelativePath(editor.document.uri, false);
  return { where: anchor(editor.document.uri.toString(), selection), label: anchorLabel(relative, selection) };
}

/**
 * The active file's URI when it lies in a workspace folder: the server picks that folder's memory
 * by it (several folders, several memories). Undefined otherwise: the server then uses the folder
 * of the last file worked in.
 */
function activeFileUri(): string | undefined {
  const uri = vscode.window.activeTextEditor?.document.uri;
  return uri && uri.scheme === 'file' && vscode.workspace.getWorkspaceFolder(uri) ? uri.toString() : undefined;
}

function withActiveFile(args: Record<string, unknown> = {}): Record<string, unknown>[] {
  const uri = activeFileUri();
  return uri ? [{ ...args, uri }] : Object.keys(args).length ? [args] : [];
}

async function ask(prompt: string, placeHolder: string, optional = false): Promise<string | undefined> {
  const text = await vscode.window.showInputBox({ prompt, placeHolder, ignoreFocusOut: true });
  if (text === undefined) return undefined;
  const value = answer(text);
  return value ?? (optional ? '' : undefined);
}

async function pickTask(choices: TaskChoice[], placeHolder: string): Promise<TaskChoice | undefined> {
  return vscode.window.showQuickPick(choices, { placeHolder, matchOnDescription: true });
}

export function registerCommands(server: ImiServer, memory: Memory, views: Views, output: vscode.LogOutputChannel): vscode.Disposable[] {
  /** Run a server command; a failure to reach the server becomes one error message. */
  const run = async <T>(command: string, ...args: unknown[]): Promise<T | undefined> => {
    try {
      const result = await server.execute<T>(command, ...args);
      memory.refreshSoon();
      return result;
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      output.error(`${command}: ${message}`);
      void vscode.window.showErrorMessage(message.startsWith('IMI') ? message : `IMI: ${message}`);
      return undefined;
    }
  };
  /** The proposal a row's inline button stands for, else one picked from the pending ones. */
  const pickProposal = async (node: unknown, placeHolder: string): Promise<string | undefined> => {
    const id = proposalIdOf(node);
    if (id) return id;
    const choices = (memory.tree?.folders ?? []).flatMap((f) => f.proposals ?? []).map((p) => ({
      label: p.title, description: [p.kind, p.session, p.id].filter(Boolean).join(' · '), id: p.id,
    }));
    if (!choices.length) {
      void vscode.window.showInformationMessage('IMI: no proposals wait for review');
      return undefined;
    }
    return (await vscode.window.showQuickPick(choices, { placeHolder, matchOnDescription: true }))?.id;
  };
  const multiFolder = () => (memory.tree?.folders.filter((f) => f.memory).length ?? 0) > 1;

  const commands: Record<string, (...args: any[]) => unknown> = {
    'imi.ui.showContext': () => {
      const uri = activeFileUri();
      return views.open(uri ? { view: 'context', uri } : { view: 'context' });
    },

    'imi.ui.showFileMemory': () => {
      const at = here();
      if (!at) return vscode.window.showInformationMessage('IMI: open a file of the workspace first');
      return views.open({ view: 'file', uri: at.where.uri });
    },

    'imi.ui.recordLesson': async () => {
      const at = here();
      const where = at ? ` (anchored to ${at.label})` : '';
      const text = await ask(`What went wrong or must not be repeated${where}?`, 'e.g. the mutex must be taken before reading the cache');
      if (!text) return;
      const correct = await ask('What is the correct behaviour?', 'e.g. take the cache lock first, then read');
      if (!correct) return;
      return run(Server.recordLesson, lessonArgs(at?.where, text, correct));
    },

    'imi.ui.recordDecision': async () => {
      const at = here();
      const where = at ? ` (anchored to ${at.label})` : '';
      const what = await ask(`What was decided${where}?`, 'e.g. keep one SQLite connection per process');
      if (!what) return;
      const why = await ask('Why?', 'e.g. WAL readers never block the writer');
      if (!why) return;
      return run(Server.recordDecision, decisionArgs(at?.where, what, why));
    },

    'imi.ui.logNote': async () => {
      const text = await ask('Direction note (shown in the context for a week)', 'e.g. focus on the importer this week');
      if (!text) return;
      return run(Server.recordNote, noteArgs(undefined, text));
    },

    'imi.ui.startTask': async (node?: unknown) => {
      let id = taskIdOf(node);
      if (!id) {
        const choices = taskChoices(startable(memory.tree), multiFolder());
        if (!choices.length) return vscode.window.showInformationMessage('IMI: no task is ready to start');
        id = (await pickTask(choices, 'Start which task?'))?.id;
      }
      if (!id) return;
      return run(Server.startTask, { taskId: id });
    },

    'imi.ui.completeTask': async (node?: unknown) => {
      let id = taskIdOf(node);
      if (!id) {
        const choices = taskChoices(inProgress(memory.tree), multiFolder());
        if (!choices.length) return vscode.window.showInformationMessage('IMI: no task is in progress');
        id = choices.length === 1 ? choices[0].id : (await pickTask(choices, 'Complete which task?'))?.id;
      }
      if (!id) return;
      const title = allTasks(memory.tree).find((t) => t.task.id === id)?.task.title ?? id;
      const summary = await ask(`What was done on "${title}"? (a summary for whoever comes next)`, 'e.g. added the importer with tests');
      if (!summary) return;
      return run(Server.completeTask, { taskId: id, summary });
    },

    'imi.ui.search': () => searchMemory(server, views, output),

    'imi.ui.review': () => views.open({ view: 'review' }),

    'imi.ui.acceptProposal': async (node?: unknown) => {
      const id = await pickProposal(node, 'Accept which proposal?');
      if (id) await run(Server.acceptProposal, { id });
      views.refreshAll();
    },

    'imi.ui.rejectProposal': async (node?: unknown) => {
      const id = await pickProposal(node, 'Reject which proposal?');
      if (id) await run(Server.rejectProposal, { id });
      views.refreshAll();
    },

    'imi.ui.groupByFile': () => memory.setByFile(true),

    'imi.ui.groupByKind': () => memory.setByFile(false),

    'imi.ui.init': () => run(Server.init, ...withActiveFile()),

    'imi.ui.refresh': () => memory.refresh(),

    'imi.ui.restartServer': () => server.restart(),

    'imi.ui.showLog': () => output.show(),

    [OPEN_COMMAND]: (open: Open) => openNode(open, (request) => views.open(request), memory),
  };
  return Object.entries(commands).map(([id, handler]) => vscode.commands.registerCommand(id, handler));
}

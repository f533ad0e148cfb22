/**
 * Search Memory: a QuickPick that shows results as the user types (kind icon, title, file, age).
 * Enter opens the record's view; the item's button jumps to the code it names.
 */
import * as vscode from 'vscode';

import { Found, pickItem } from './pages';
import { Server } from './protocol';
import { ImiServer } from './server';
import { Views } from './views';

const TYPING_PAUSE_MS = 120;

interface Item extends vscode.QuickPickItem {
  found: Found;
}

const GO_TO_CODE: vscode.QuickInputButton = { iconPath: new vscode.ThemeIcon('go-to-file'), tooltip: 'Go to the code it names' };

async function goToCode(found: Found): Promise<void> {
  if (!found.file) return;
  const start = (found.file.line_start ?? 1) - 1;
  const end = (found.file.line_end ?? found.file.line_start ?? 1) - 1;
  await vscode.window.showTextDocument(vscode.Uri.parse(found.file.uri), { selection: new vscode.Range(start, 0, end, 0) });
}

export function searchMemory(server: ImiServer, views: Views, output: vscode.LogOutputChannel): void {
  const pick = vscode.window.createQuickPick<Item>();
  pick.placeholder = 'Search the project memory (lessons, decisions, tasks, goals, notes)';
  pick.matchOnDescription = true;
  pick.matchOnDetail = true;
  let timer: NodeJS.Timeout | undefined;
  let asked = 0;

  const lookUp = async (query: string) => {
    const mine = ++asked;
    if (!query.trim()) {
      pick.items = [];
      pick.busy = false;
      return;
    }
    pick.busy = true;
    try {
      const answer = await server.execute<{ results: Found[] }>(Server.find, { query, limit: 40 });
      if (mine !== asked) return; // the user typed on: a newer answer is coming
      pick.items = (answer?.results ?? []).map((found) => ({
        ...pickItem(found),
        found,
        alwaysShow: true, // the server matched it (word prefixes, snippets): do not filter it out again
        buttons: found.file ? [GO_TO_CODE] : [],
      }));
    } catch (err) {
      output.warn(`search: ${err instanceof Error ? err.message : err}`);
    } finally {
      if (mine === asked) pick.busy = false;
    }
  };

  pick.onDidChangeValue((value) => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => void lookUp(value), TYPING_PAUSE_MS);
  });
  pick.onDidAccept(() => {
    const chosen = pick.selectedItems[0];
    pick.hide();
    if (chosen) void views.open({ view: 'record', id: chosen.found.id });
  });
  pick.onDidTriggerItemButton((event) => {
    pick.hide();
    void goToCode(event.item.found);
  });
  pick.onDidHide(() => {
    if (timer) clearTimeout(timer);
    pick.dispose();
  });
  pick.show();
}

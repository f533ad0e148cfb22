/** The status bar item: the task in progress, or an invitation to start one. */
import * as vscode from 'vscode';

import { Memory } from './memory';
import { statusText } from './model';

export function createStatusItem(memory: Memory): vscode.Disposable {
  const item = vscode.window.createStatusBarItem('imi.task', vscode.StatusBarAlignment.Left, 50);
  item.name = 'IMI Task';
  const update = () => {
    const status = statusText(memory.tree);
    if (!status) {
      item.hide();
      return;
    }
    item.text = status.text;
    item.tooltip = status.tooltip;
    item.command = status.command;
    item.show();
  };
  const subscription = memory.onDidChange(update);
  update();
  return vscode.Disposable.from(item, subscription);
}

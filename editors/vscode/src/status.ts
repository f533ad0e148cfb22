/** The status bar items: the task in progress (or an invitation to start one), and proposals to review. */
import * as vscode from 'vscode';

import { Memory } from './memory';
import { reviewStatusText, statusText } from './model';

export const REVIEW_COMMAND = 'imi.ui.review';

export function createStatusItem(memory: Memory): vscode.Disposable {
  const item = vscode.window.createStatusBarItem('imi.task', vscode.StatusBarAlignment.Left, 50);
  item.name = 'IMI Task';
  const review = vscode.window.createStatusBarItem('imi.review', vscode.StatusBarAlignment.Left, 49);
  review.name = 'IMI Review';
  review.command = REVIEW_COMMAND;
  const update = () => {
    const status = statusText(memory.tree);
    if (!status) {
      item.hide();
    } else {
      item.text = status.text;
      item.tooltip = status.tooltip;
      item.command = status.command;
      item.show();
    }
    const pending = reviewStatusText(memory.tree);
    if (!pending) {
      review.hide();
      return;
    }
    review.text = pending.text;
    review.tooltip = pending.tooltip;
    review.show();
  };
  const subscription = memory.onDidChange(update);
  update();
  return vscode.Disposable.from(item, review, subscription);
}

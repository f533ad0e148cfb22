/** The "Project Memory" view in the explorer: goals with their tasks, decisions, lessons. */
import * as vscode from 'vscode';

import { Memory } from './memory';
import { children, Node, Open, row } from './model';
import { ViewRequest } from './pages';

export const OPEN_COMMAND = 'imi.ui.openNode';

const COLLAPSIBLE = {
  none: vscode.TreeItemCollapsibleState.None,
  collapsed: vscode.TreeItemCollapsibleState.Collapsed,
  expanded: vscode.TreeItemCollapsibleState.Expanded,
};

export class MemoryTreeProvider implements vscode.TreeDataProvider<Node> {
  private readonly emitter = new vscode.EventEmitter<Node | undefined>();
  readonly onDidChangeTreeData = this.emitter.event;

  constructor(private readonly memory: Memory) {
    memory.onDidChange(() => this.emitter.fire(undefined));
  }

  getChildren(node?: Node): Node[] {
    return children(this.memory.tree, node, this.memory.view);
  }

  getTreeItem(node: Node): vscode.TreeItem {
    const r = row(node);
    const item = new vscode.TreeItem(r.label, COLLAPSIBLE[r.collapsible]);
    item.description = r.description;
    item.contextValue = r.contextValue;
    if (r.tooltip) item.tooltip = new vscode.MarkdownString(r.tooltip);
    if (node.type === 'file' && r.open?.kind === 'file') {
      item.resourceUri = vscode.Uri.file(r.open.file);
      item.iconPath = vscode.ThemeIcon.File;
    } else if (r.icon) {
      item.iconPath = new vscode.ThemeIcon(r.icon);
    }
    // ids keep rows open across refreshes; a record may show in several places (this file, a group)
    if (node.type === 'record') item.id = `${node.folder.folder}#${node.under ?? ''}/${node.record.kind}-${node.record.id}`;
    if (node.type === 'proposal') item.id = `${node.folder.folder}#proposal/${node.proposal.id}`;
    if (r.open) item.command = { title: 'Open', command: OPEN_COMMAND, arguments: [r.open] };
    return item;
  }
}

/** What clicking a row does: the record or proposal in full (from the server), the review list, the
 * file at the named lines, more rows. */
export async function openNode(open: Open, show: (request: ViewRequest) => Promise<void>, memory: Memory): Promise<void> {
  if (open.kind === 'record' || open.kind === 'proposal') {
    await show({ view: open.kind, id: open.id });
    return;
  }
  if (open.kind === 'review') {
    await show({ view: 'review' });
    return;
  }
  if (open.kind === 'more') {
    await memory.showMore(open.section);
    return;
  }
  const uri = vscode.Uri.file(open.file);
  const options: vscode.TextDocumentShowOptions = {};
  if (open.startLine) {
    const start = new vscode.Position(open.startLine - 1, 0);
    const end = new vscode.Position((open.endLine ?? open.startLine) - 1, 0);
    options.selection = new vscode.Range(start, end);
  }
  try {
    await vscode.window.showTextDocument(uri, options);
  } catch {
    // a folder, or a file that is gone: reveal what exists instead of failing silently
    void vscode.window.showWarningMessage(`IMI: cannot open ${open.file} (it may be a folder or no longer exist)`);
  }
}

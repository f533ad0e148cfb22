/**
 * Read-only views of the memory, rendered: a record (with links to its files and ranges, its
 * history and its actions), the records behind a lens, a file's memory, the session context.
 * The server sends each as a page (`imi.readView`: markdown plus actions); VS Code's own markdown
 * renderer turns it into HTML in a webview. Nothing is written to disk and no editor tab holds
 * a file: the views are read-only by nature.
 */
import * as vscode from 'vscode';

import { Page, PageAction, ViewRequest, viewKey, viewForLink, parseFileLink, answersFor } from './pages';
import { Server } from './protocol';
import { ImiServer } from './server';

export const VIEW_TYPE = 'imi.view';

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function nonce(): string {
  let text = '';
  for (let i = 0; i < 24; i++) text += 'abcdefghijklmnopqrstuvwxyz0123456789'.charAt(Math.floor(Math.random() * 36));
  return text;
}

/** The webview's HTML: the rendered page, its action buttons, a script that reports clicks. */
function html(webview: vscode.Webview, page: Page, body: string): string {
  const n = nonce();
  const buttons = page.actions
    .map((a, i) => `<button data-action="${i}"${a.ask ? ` title="asks for the ${escapeHtml(a.ask.replace(',', ' and '))}"` : ''}>${escapeHtml(a.title)}</button>`)
    .join(' ');
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src ${webview.cspSource} 'unsafe-inline'; script-src 'nonce-${n}';">
<style>
  body { font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); color: var(--vscode-foreground); padding: 0 20px 20px; line-height: 1.5; }
  .actions { position: sticky; top: 0; padding: 10px 0; background: var(--vscode-editor-background); border-bottom: 1px solid var(--vscode-panel-border); }
  button { color: var(--vscode-button-foreground); background: var(--vscode-button-background); border: none; padding: 4px 10px; margin-right: 6px; cursor: pointer; border-radius: 2px; }
  button:hover { background: var(--vscode-button-hoverBackground); }
  a { color: var(--vscode-textLink-foreground); }
  code { font-family: var(--vscode-editor-font-family); }
  hr { border: none; border-top: 1px solid var(--vscode-panel-border); }
</style></head>
<body>
${page.actions.length ? `<div class="actions">${buttons}</div>` : ''}
<main class="imi-page">${body}</main>
<script nonce="${n}">
  const vscode = acquireVsCodeApi();
  document.addEventListener('click', (event) => {
    const button = event.target.closest('button[data-action]');
    if (button) { vscode.postMessage({ type: 'action', index: Number(button.dataset.action) }); return; }
    const link = event.target.closest('a[href]');
    if (link) { event.preventDefault(); vscode.postMessage({ type: 'open', href: link.getAttribute('href') }); }
  });
</script>
</body></html>`;
}

async function renderMarkdown(markdown: string): Promise<string> {
  try {
    const rendered = await vscode.commands.executeCommand<string>('markdown.api.render', markdown);
    if (typeof rendered === 'string') return rendered;
  } catch {
    // the built-in markdown extension is disabled: show the text as it is
  }
  return `<pre>${escapeHtml(markdown)}</pre>`;
}

interface Entry {
  panel: vscode.WebviewPanel;
  request: ViewRequest;
  page?: Page;
}

export class Views implements vscode.Disposable {
  private readonly panels = new Map<string, Entry>();

  constructor(
    private readonly server: ImiServer,
    private readonly output: vscode.LogOutputChannel,
    private readonly afterWrite: () => void,
  ) {}

  /** Open (or bring forward and refresh) the view of a request. */
  async open(request: ViewRequest): Promise<void> {
    const key = viewKey(request);
    let entry = this.panels.get(key);
    if (!entry) {
      const panel = vscode.window.createWebviewPanel(VIEW_TYPE, 'IMI', { viewColumn: vscode.ViewColumn.Active, preserveFocus: false }, {
        enableScripts: true,
        enableFindWidget: true,
        localResourceRoots: [],
      });
      const created: Entry = { panel, request };
      entry = created;
      this.panels.set(key, created);
      panel.onDidDispose(() => this.panels.delete(key));
      panel.webview.onDidReceiveMessage((message) => void this.onMessage(created, message));
    } else {
      entry.panel.reveal(undefined, false);
    }
    await this.render(entry);
  }

  /** Render every open view again (the memory changed). */
  refreshAll(): void {
    for (const entry of this.panels.values()) void this.render(entry);
  }

  private async render(entry: Entry): Promise<void> {
    const page = await this.server.execute<Page>(Server.readView, entry.request);
    if (!page || typeof page.markdown !== 'string') return; // the server told the user why
    entry.page = page;
    entry.panel.title = page.title;
    entry.panel.webview.html = html(entry.panel.webview, page, await renderMarkdown(page.markdown));
  }

  private async onMessage(entry: Entry, message: { type?: string; href?: string; index?: number }): Promise<void> {
    if (message.type === 'open' && typeof message.href === 'string') return this.follow(message.href, entry.page?.root);
    const action = message.type === 'action' && typeof message.index === 'number' ? entry.page?.actions[message.index] : undefined;
    if (action) await this.run(action);
  }

  /** A link in a page: a file at its lines, a record or proposal (`imi:record/ID`, `imi:proposal/ID`), or a web address. */
  private async follow(href: string, root: string | undefined): Promise<void> {
    const file = parseFileLink(href, root);
    if (file) {
      const uri = vscode.Uri.file(file.path);
      const options: vscode.TextDocumentShowOptions = {};
      if (file.startLine) {
        options.selection = new vscode.Range(file.startLine - 1, 0, file.endLine ?? file.startLine, 0); // whole lines
      }
      try {
        await vscode.window.showTextDocument(uri, options);
      } catch {
        void vscode.window.showWarningMessage(`IMI: cannot open ${uri.fsPath} (it may no longer exist)`);
      }
      return;
    }
    const view = viewForLink(href);
    if (view) return this.open(view);
    if (/^https?:/.test(href)) await vscode.env.openExternal(vscode.Uri.parse(href));
  }

  /** A page's action: ask what it needs (a summary, the new decision), run it, show the result. */
  private async run(action: PageAction): Promise<void> {
    const answers: Record<string, string> = {};
    for (const field of answersFor(action)) {
      const value = await vscode.window.showInputBox({ prompt: field.prompt, placeHolder: field.placeHolder, value: field.value, ignoreFocusOut: true });
      if (!value || !value.trim()) return;
      answers[field.key] = value.trim();
    }
    const [first, ...rest] = action.arguments ?? [];
    const args = first && typeof first === 'object' ? [{ ...(first as object), ...answers }, ...rest] : action.arguments ?? [];
    try {
      await this.server.execute(action.command, ...args);
    } catch (err) {
      const text = err instanceof Error ? err.message : String(err);
      this.output.error(`${action.command}: ${text}`);
      void vscode.window.showErrorMessage(`IMI: ${text}`);
    }
    this.afterWrite();
    this.refreshAll();
  }

  dispose(): void {
    for (const { panel } of this.panels.values()) panel.dispose();
    this.panels.clear();
  }
}

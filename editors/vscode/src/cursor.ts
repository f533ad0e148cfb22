/**
 * Cursor: its agent reads the memory through IMI's MCP server, registered here with Cursor's own
 * extension API (`vscode.cursor.mcp.registerServer`), so no `.cursor/mcp.json` is needed. In a
 * Cursor without that API the log says what to do instead; other editors are left alone.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';

import { Candidate, mcpServer } from './launch';

const NAME = 'imi';

interface CursorMcp {
  registerServer(config: { name: string; server: { command: string; args: string[]; env: Record<string, string> } }): void;
  unregisterServer(name: string): void;
}

function cursorMcp(): CursorMcp | undefined {
  const api = (vscode as unknown as { cursor?: { mcp?: Partial<CursorMcp> } }).cursor?.mcp;
  return typeof api?.registerServer === 'function' && typeof api.unregisterServer === 'function' ? (api as CursorMcp) : undefined;
}

/** Register (again) the MCP server that goes with the language server `candidate` starts. */
export function registerWithCursor(candidate: Candidate, output: vscode.LogOutputChannel): vscode.Disposable {
  const api = cursorMcp();
  if (!api) {
    if (/cursor/i.test(vscode.env.appName)) {
      output.info("this Cursor has no extension API for MCP servers: add IMI's MCP server to .cursor/mcp.json (docs/agents.md)");
    }
    return new vscode.Disposable(() => undefined);
  }
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  const db = folder ? path.join(folder, '.imi', 'state.db') : undefined;
  const server = mcpServer(candidate, db && fs.existsSync(db) ? db : undefined, process.platform);
  if (!server) {
    output.info("imi.server.command is set: register IMI's MCP server with Cursor yourself (.cursor/mcp.json, docs/agents.md)");
    return new vscode.Disposable(() => undefined);
  }
  api.registerServer({ name: NAME, server });
  output.info(`registered IMI's MCP server with Cursor's agent: ${[server.command, ...server.args].join(' ')}`);
  return new vscode.Disposable(() => api.unregisterServer(NAME));
}

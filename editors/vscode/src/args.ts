/**
 * Arguments for the server's commands, built from where the user is. Pure: positions come in
 * as plain `{line, character}` objects (a VS Code Selection has that shape).
 */

export interface Position {
  line: number;
  character: number;
}

export interface Selection {
  start: Position;
  end: Position;
}

/** Where a record is anchored: the document, and the selected lines unless the selection is empty. */
export interface Anchor {
  uri: string;
  range?: { start: Position; end: Position };
}

export function anchor(uri: string, selection: Selection | undefined): Anchor {
  if (!selection) return { uri };
  const { start, end } = selection;
  if (start.line === end.line && start.character === end.character) return { uri };
  return {
    uri,
    range: { start: { line: start.line, character: start.character }, end: { line: end.line, character: end.character } },
  };
}

/**
 * The anchor as the user reads it in a prompt: `src/app.py:10-15` (1-based lines; a selection of
 * whole lines ends at character 0 of the line after it, which is not part of it), or the file.
 */
export function anchorLabel(relativePath: string, selection: Selection | undefined): string {
  const range = anchor('', selection).range;
  if (!range) return relativePath;
  let last = range.end.line;
  if (last > range.start.line && range.end.character === 0) last -= 1;
  return last <= range.start.line ? `${relativePath}:${range.start.line + 1}` : `${relativePath}:${range.start.line + 1}-${last + 1}`;
}

/** Text typed into an input box, trimmed; undefined when the user cancelled or left it empty. */
export function answer(text: string | undefined): string | undefined {
  const value = text?.trim();
  return value ? value : undefined;
}

/** `imi.recordLesson` arguments. */
export function lessonArgs(where: Anchor | undefined, text: string, correctBehavior: string): Record<string, unknown> {
  return { text, correctBehavior, ...(where ?? {}) };
}

/** `imi.recordDecision` arguments. */
export function decisionArgs(where: Anchor | undefined, what: string, why: string): Record<string, unknown> {
  return { what, why, ...(where ?? {}) };
}

/** `imi.recordNote` arguments. */
export function noteArgs(where: Anchor | undefined, text: string): Record<string, unknown> {
  return { text, ...(where ?? {}) };
}

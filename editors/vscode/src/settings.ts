/**
 * The server's settings as VS Code holds them (`imi.*`) and as the server reads them
 * (`initializationOptions.imi`, camelCase). Pure: a getter comes in, a plain object goes out.
 */

export const KINDS = ['lesson', 'decision', 'task', 'goal', 'note'] as const;
export const SEVERITIES = ['error', 'warning', 'information', 'hint'] as const;

/** What the server understands; the client-only keys (`imi.server.*`, `imi.trace.*`) stay out. */
export interface ServerSettings {
  codeLens: { enable: boolean };
  diagnostics: { enable: boolean; severity: string; staleAnchors: boolean };
  kinds: string[];
}

/** Reads one key below `imi` (as `WorkspaceConfiguration.get` does), undefined when unset. */
export type Getter = (key: string) => unknown;

/**
 * The `imi` section for the server. Values of the wrong type are passed through as they are:
 * the server ignores them and says which key was wrong, so there is one place that validates.
 */
export function serverSettings(get: Getter): ServerSettings {
  const pick = <T>(key: string, fallback: T): T => {
    const value = get(key);
    return value === undefined || value === null ? fallback : (value as T);
  };
  return {
    codeLens: { enable: pick('codeLens.enable', true) },
    diagnostics: {
      enable: pick('diagnostics.enable', true),
      severity: pick('diagnostics.severity', 'warning'),
      staleAnchors: pick('diagnostics.staleAnchors', true),
    },
    kinds: pick<string[]>('kinds', [...KINDS]),
  };
}

/** `initializationOptions` as the server expects them. */
export function initializationOptions(get: Getter): { imi: ServerSettings } {
  return { imi: serverSettings(get) };
}

/** Whether a settings change means the server must be restarted (how it is started) or only told. */
export function needsRestart(affects: (section: string) => boolean): boolean {
  return affects('imi.server');
}

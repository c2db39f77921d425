/**
 * Helpers for suites running inside the extension host.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';

/** The repository root (set at bundle time by the runner). */
export const REPO_ROOT: string = process.env.PROFILE_LENS_ROOT ?? path.resolve(__dirname, '../..');
export const MANIFEST = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as {
  name: string;
  publisher: string;
  main: string;
  activationEvents?: string[];
  contributes?: { commands?: { command: string; title: string; category?: string }[]; [k: string]: unknown };
};
export const EXTENSION_ID = `${MANIFEST.publisher}.${MANIFEST.name}`;

export function getExtension(): vscode.Extension<unknown> {
  const ext = vscode.extensions.getExtension(EXTENSION_ID);
  if (!ext) throw new Error(`extension ${EXTENSION_ID} is not loaded in this VS Code`);
  return ext;
}

/** Activates the extension (if needed) and returns its exports. */
export async function activateExtension<T = unknown>(): Promise<T> {
  const ext = getExtension();
  return (ext.isActive ? ext.exports : await ext.activate()) as T;
}

/** Polls `check` until it returns a truthy value or `timeoutMs` passes (then throws `what`). */
export async function waitFor<T>(what: string, check: () => T | Promise<T>, timeoutMs = 10_000, everyMs = 50): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** The workspace folder the runner opened (a fresh copy of demo/workspace by default). */
export function workspaceRoot(): string {
  const f = vscode.workspace.workspaceFolders?.[0];
  if (!f) throw new Error('no workspace folder is open');
  return f.uri.fsPath;
}

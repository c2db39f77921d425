/**
 * Ownership of disposables. A `DisposableStore` disposes what it holds, and disposes anything added
 * after it was disposed (late async registrations cannot leak). `liveDisposables()` counts what all
 * stores hold right now: the VS Code suite checks it does not grow when profiles are replaced.
 */
import type * as vscode from 'vscode';

let live = 0;

/** Disposables currently held by any store (for leak tests). */
export function liveDisposables(): number {
  return live;
}

export class DisposableStore implements vscode.Disposable {
  private items: vscode.Disposable[] = [];
  private disposed = false;

  get isDisposed(): boolean {
    return this.disposed;
  }

  add<T extends vscode.Disposable>(d: T): T {
    if (this.disposed) {
      d.dispose();
      return d;
    }
    this.items.push(d);
    live++;
    return d;
  }

  /** Disposes everything held, stays usable. */
  clear(): void {
    const items = this.items;
    this.items = [];
    live -= items.length;
    for (let i = items.length - 1; i >= 0; i--) {
      try {
        items[i].dispose();
      } catch (e) {
        console.error('[profile-lens] dispose failed', e);
      }
    }
  }

  dispose(): void {
    this.disposed = true;
    this.clear();
  }
}

/** Base class for controllers: `register()` ties a disposable to the controller's lifetime. */
export abstract class Disposable implements vscode.Disposable {
  protected readonly store = new DisposableStore();

  protected register<T extends vscode.Disposable>(d: T): T {
    return this.store.add(d);
  }

  dispose(): void {
    this.store.dispose();
  }
}

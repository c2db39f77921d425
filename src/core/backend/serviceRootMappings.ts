/**
 * Pyroscope's conventional labels `service_root_path` (where the repository sat when the service was
 * built, e.g. "/app" or "/home/runner/work/api/api") and `service_repository` (its URL) turned into a
 * path mapping onto the matching workspace folder: the repository's folder name picks the root when
 * there are several, else the first root. A root path of "/" maps nothing (it would claim every file).
 */
import * as path from 'node:path';
import type { PathMapping } from '../engine';

export function serviceRootMappings(labels: { rootPath?: string; repository?: string } | undefined, roots: readonly string[]): PathMapping[] {
  const rootPath = labels?.rootPath?.trim().replace(/[\\/]+$/, '');
  if (!rootPath || roots.length === 0 || !/^([a-zA-Z]:)?[\\/]/.test(rootPath)) return [];
  const repoName = labels?.repository
    ?.trim()
    .replace(/\.git$/, '')
    .replace(/[\\/]+$/, '')
    .split(/[\\/:]/)
    .pop();
  const root = (repoName && roots.find((r) => path.basename(r) === repoName)) ?? roots[0];
  return [{ from: rootPath, to: root }];
}

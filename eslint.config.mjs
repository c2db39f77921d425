// Layering is enforced here (see src/README.md):
//   src/core    — the engine: no 'vscode', no DOM, no host/webview/cli imports
//   src/shared  — the host/webview protocol (types, and pure text helpers on them): imports only core types
//   src/webview — browser code: no 'vscode', no Node built-ins, no host
//   src/cli     — the CLI: no 'vscode', no host/webview
//   src/host    — the only place (with src/extension.ts) that imports 'vscode'
import tseslint from 'typescript-eslint';

const vscodeBan = { name: 'vscode', message: 'Only src/host/** and src/extension.ts may import vscode.' };
const nodeBuiltins = ['fs', 'path', 'os', 'http', 'https', 'zlib', 'worker_threads', 'child_process', 'net', 'url', 'crypto']
  .flatMap((m) => [m, `node:${m}`]);

export default tseslint.config(
  { ignores: ['dist/**', 'out/**', 'node_modules/**', '.tools/**', 'test/fixtures/**', 'demo/**', '**/*.js', '**/*.mjs'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'off',
      'no-restricted-syntax': ['error', { selector: 'ExportDefaultDeclaration', message: 'No default exports.' }],
    },
  },
  {
    files: ['src/core/**/*.ts'],
    languageOptions: { globals: {} },
    rules: {
      'no-restricted-imports': ['error', {
        paths: [vscodeBan],
        patterns: [
          { group: ['**/host/**', '**/webview/**', '**/cli/**', '**/extension'], message: 'src/core is the engine: it depends on nothing above it.' },
        ],
      }],
      'no-restricted-globals': ['error', 'document', 'window', 'navigator', 'HTMLElement', 'HTMLCanvasElement'],
    },
  },
  {
    files: ['src/shared/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [vscodeBan, ...nodeBuiltins],
        patterns: [{ group: ['**/host/**', '**/webview/**', '**/cli/**'], message: 'src/shared holds types for host and webview only.' }],
      }],
    },
  },
  {
    files: ['src/webview/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [vscodeBan, ...nodeBuiltins],
        patterns: [{ group: ['**/host/**', '**/cli/**', '**/extension'], message: 'The webview talks to the host only through src/shared/protocol.ts messages.' }],
      }],
    },
  },
  {
    files: ['src/cli/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [vscodeBan],
        patterns: [{ group: ['**/host/**', '**/webview/**', '**/extension'], message: 'The CLI uses the engine only.' }],
      }],
    },
  },
  {
    files: ['test/unit/**/*.ts', 'scripts/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: [vscodeBan] }] },
  },
);

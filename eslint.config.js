// ESLint for the TypeScript of the project, with type information from tsconfig.json (its `include` is what is
// linted). Formatting is Prettier's job (.prettierrc.json), so no stylistic rules here.
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';

// @kubernetes/client-node declares every API object (V1Pod, V1ObjectMeta, ...) as a class, but they are JSON
// shapes: the client sends and returns plain objects, so copying one with a spread loses nothing.
const clientModels = join(dirname(fileURLToPath(import.meta.resolve('@kubernetes/client-node'))), 'gen/models');
const kubernetesModelNames = readdirSync(clientModels)
  .filter((file) => file.endsWith('.d.ts'))
  .map((file) => file.slice(0, -'.d.ts'.length));

export default defineConfig(
  { ignores: ['dist/**', 'node_modules/**', 'charts/**', 'argocd/**', '.cluster/**'] },
  {
    files: ['**/*.ts'],
    extends: [js.configs.recommended, tseslint.configs.strictTypeChecked],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // With noUncheckedIndexedAccess, `list[0]!` after a length check is how the code states what it knows.
      '@typescript-eslint/no-non-null-assertion': 'off',
      // Object literals are how Kubernetes objects are written; the client's model classes are never constructed.
      '@typescript-eslint/no-unsafe-class-instance-assignment': 'off',
      '@typescript-eslint/no-misused-spread': [
        'error',
        { allow: [{ from: 'package', package: '@kubernetes/client-node', name: kubernetesModelNames }] },
      ],
      // Numbers in messages (`line ${line}`, `${count} tasks`) are meant; objects, nullish values and unions still are not.
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      // `() => clearTimeout(timer)` is the house style for callbacks; void values used anywhere else are still reported.
      '@typescript-eslint/no-confusing-void-expression': ['error', { ignoreArrowShorthand: true }],
    },
  },
  {
    // This file itself: plain JavaScript outside tsconfig.json, so no type-aware rules.
    files: ['**/*.js'],
    extends: [js.configs.recommended],
  },
);

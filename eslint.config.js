// ESLint for the TypeScript of the project, with type information from tsconfig.json (its `include` is what is
// linted). Formatting is Prettier's job (.prettierrc.json), so no stylistic rules here.
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';

export default defineConfig(
  { ignores: ['dist/**', 'node_modules/**', 'charts/**', 'argocd/**', '.cluster/**', '.cluster-chaos/**'] },
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
      // @kubernetes/client-node declares every API object (V1Pod, V1ObjectMeta, ...) as a class, but they are JSON
      // shapes: the client sends and returns plain objects, so object literals and spread copies of them lose nothing.
      // (no-misused-spread's `allow` cannot name them: it fails on `V1ObjectMeta | undefined`, the usual type.)
      '@typescript-eslint/no-unsafe-class-instance-assignment': 'off',
      '@typescript-eslint/no-misused-spread': 'off',
      // Numbers in messages (`line ${line}`, `${count} tasks`) are meant; objects, nullish values and unions still are not.
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      // `() => clearTimeout(timer)` is the house style for callbacks...
      // ... and so is `return log.error(...)` as an early exit of a function that returns nothing.
      '@typescript-eslint/no-confusing-void-expression': ['error', { ignoreArrowShorthand: true, ignoreVoidReturningFunctions: true }],
      // An async fake or callback implements a Promise-returning interface without needing to await; a forgotten
      // await is what no-floating-promises reports.
      '@typescript-eslint/require-await': 'off',
      // `const { dropped: _dropped, ...kept } = object` is how a field is left out of a copy.
      '@typescript-eslint/no-unused-vars': ['error', { ignoreRestSiblings: true, argsIgnorePattern: '^_' }],
    },
  },
  {
    // Tests read YAML and JSON output as loose data and build malformed input on purpose; a wrong shape there
    // fails the test's assertion, so `any` in tests hides no bug. The operator's own code keeps these rules.
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
  {
    // This file itself: plain JavaScript outside tsconfig.json, so no type-aware rules.
    files: ['**/*.js'],
    extends: [js.configs.recommended],
  },
);

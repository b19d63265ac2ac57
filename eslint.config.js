// ESLint (flat config) with typescript-eslint's recommended rules; formatting is Prettier's (.prettierrc.json).
// Pure-JavaScript tools on purpose: Biome's per-platform binaries are not all on this lab's npm registry, which
// breaks `npm ci` from the lockfile (see learnings/DISCOVERIES.md).
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      '**/dist/**',
      '.lab/**',
      'results/**',
      'test-artifacts/**',
      '**/*.gen.ts',
      'implementations/mono/src/generated/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // Strings that hold ${VAR} on purpose (compose interpolation) are tested as data.
      'no-template-curly-in-string': 'off',
    },
  },
  {
    files: ['implementations/web/ui/**/*.ts'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);

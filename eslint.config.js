import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'workspace/', 'tests/fixtures/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', Buffer: 'readonly', URL: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      // The bundle (scripts/bundle.mjs) shakes zod only through its namespace import; `{ z }` keeps all 64 locales.
      'no-restricted-syntax': [
        'error',
        {
          selector: "ImportDeclaration[source.value='zod'][importKind!='type'] > :matches(ImportSpecifier[imported.name='z'][importKind!='type'], ImportDefaultSpecifier)",
          message: "write `import * as z from 'zod'`",
        },
      ],
    },
  },
  {
    files: ['machines/**/*.ts'],
    rules: {
      // Machines are pure: types may come from anywhere, code only from xstate, siblings and src/protocol.
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['node:*', 'fs', 'fs-extra', 'child_process', 'chokidar'], message: 'machines do no I/O' },
            // Message parsing in src/protocol is pure and may be used as code.
            { group: ['**/src/**', '!**/src/protocol', '!**/src/protocol/**'], allowTypeImports: true, message: 'machines import only types from src/ (and pure code from src/protocol)' },
          ],
        },
      ],
    },
  },
);

// ESLint: typescript-eslint's recommended rules, and the layering of DESIGN.md section 3 as import
// boundaries, so a wrong import fails `npm test` (and CI) instead of waiting for a reviewer.
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

/** Imports a layer may not make, as gitignore-style patterns over the import path. */
const layer = (name, forbidden, typesOnlyFrom = []) => ({
  files: [`src/${name}/**/*.ts`],
  rules: {
    '@typescript-eslint/no-restricted-imports': [
      'error',
      {
        patterns: [
          ...forbidden.map((dir) => ({
            group: [`**/${dir}/**`, `**/${dir}.ts`],
            message: `${name} must not import from ${dir} (DESIGN.md section 3: the layering).`,
          })),
          ...typesOnlyFrom.map((dir) => ({
            group: [`**/${dir}/**`],
            allowTypeImports: true,
            message: `${name} may import only types from ${dir}.`,
          })),
        ],
      },
    ],
  },
});

const OUTER = ['http', 'views', 'cli', 'runtime', 'delivery'];

export default tseslint.config(
  {
    ignores: [
      'node_modules/**',
      'data/**',
      'test-results/**',
      'public/**',
      'examples/*/node_modules/**',
      'bench/peers/node_modules/**',
      'examples/*/*.db*',
      'integrations/*/node_modules/**',
      'integrations/*/.medusa/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  prettier,
  {
    languageOptions: {
      ecmaVersion: 2023,
      sourceType: 'module',
      globals: {
        process: 'readonly',
        console: 'readonly',
        Buffer: 'readonly',
        URL: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        setImmediate: 'readonly',
        structuredClone: 'readonly',
        fetch: 'readonly',
        AbortController: 'readonly',
        TextEncoder: 'readonly',
        TextDecoder: 'readonly',
        document: 'readonly',
        window: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
    },
  },
  // core imports nothing but core (test/unit/core-purity.test.ts checks the clock and randomness too).
  layer('core', ['store', 'platform', 'services', 'config', ...OUTER]),
  layer('store', ['platform', 'services', ...OUTER]),
  layer('platform', ['store', 'services', ...OUTER]),
  layer('services', OUTER),
  layer('delivery', ['services', 'http', 'cli', 'runtime']),
  layer('views', ['store', 'platform', 'http', 'cli', 'runtime', 'delivery'], ['services']),
  layer('http', ['store', 'cli', 'runtime', 'delivery']),
);

// Lint: typescript-eslint recommended, plus the layer rule: the pure domain and the
// contracts never import frameworks, infrastructure or the apps.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const infrastructure = [
  '@nestjs/*',
  'kafkajs',
  'mongoose',
  '@customs/messaging',
  '@customs/persistence',
  '@customs/stack',
];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', '**/*.js', '**/*.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
    },
  },
  {
    files: ['libs/domain/**/*.ts', 'libs/contracts/**/*.ts', 'libs/reference-data/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [...infrastructure, '**/apps/**'],
              message: 'The domain and contracts stay free of infrastructure.',
            },
          ],
        },
      ],
    },
  },
);

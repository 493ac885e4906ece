import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', 'web/dist/**', 'test-results/**', 'data/**', '.tmp/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-restricted-syntax': [
        'error',
        {
          selector: "CallExpression[callee.property.name='only'][callee.object.name=/^(it|test|describe)$/]",
          message: 'Focused tests hide the rest of the suite.',
        },
      ],
    },
  },
  {
    // Integrations depend on the core, never the reverse.
    files: ['src/{domain,store,db,events,jobs,http,settings,sync,auth,demo,platform,calculator}/**/*.ts', 'src/app.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: ['**/integrations/**'] }],
    },
  },
);

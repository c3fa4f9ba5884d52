import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ESLint } from 'eslint';

const eslint = new ESLint({ cwd: new URL('../..', import.meta.url).pathname });

/** Lints a made-up file at a place in the tree, as if it were there, and returns the boundary errors. */
async function boundaryErrors(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? [])
    .filter((m) => m.ruleId === '@typescript-eslint/no-restricted-imports')
    .map((m) => m.message);
}

test('the linter refuses an import that breaks the layering (DESIGN.md section 3)', async () => {
  assert.match(
    (
      await boundaryErrors(
        'src/core/fixture.ts',
        "import { findAccountById } from '../store/accounts.ts';\nexport const f = findAccountById;\n",
      )
    )[0] ?? '',
    /core must not import from store/,
  );
  assert.match(
    (
      await boundaryErrors(
        'src/store/fixture.ts',
        "import { signOut } from '../services/sessions/sessions.ts';\nexport const f = signOut;\n",
      )
    )[0] ?? '',
    /store must not import from services/,
  );
  assert.match(
    (
      await boundaryErrors(
        'src/http/routes/fixture.ts',
        "import { findAccountById } from '../../store/accounts.ts';\nexport const f = findAccountById;\n",
      )
    )[0] ?? '',
    /http must not import from store/,
  );
  assert.match(
    (
      await boundaryErrors(
        'src/services/fixture.ts',
        "import { buildApp } from '../http/app.ts';\nexport const f = buildApp;\n",
      )
    )[0] ?? '',
    /services must not import from http/,
  );
  assert.match(
    (
      await boundaryErrors(
        'src/views/pages/fixture.ts',
        "import { signOut } from '../../services/sessions/sessions.ts';\nexport const f = signOut;\n",
      )
    )[0] ?? '',
    /views may import only types from services/,
  );
});

test('what the layering allows passes: services over store and core, a page over core and service types', async () => {
  assert.deepEqual(
    await boundaryErrors(
      'src/services/fixture.ts',
      "import { findAccountById } from '../store/accounts.ts';\nimport { DomainError } from '../core/errors.ts';\nexport const f = [findAccountById, DomainError];\n",
    ),
    [],
  );
  assert.deepEqual(
    await boundaryErrors(
      'src/views/pages/fixture.ts',
      "import type { Profile } from '../../services/account/profile.ts';\nimport { maskEmail } from '../../core/email-address.ts';\nexport const f = (p: Profile) => maskEmail(p.account.email);\n",
    ),
    [],
  );
});

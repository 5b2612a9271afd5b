import { z } from 'zod';
import { databaseUrlProblem } from '../database-url.ts';
import { defineVars } from './define-vars.ts';
import { bool, text } from './value-schemas.ts';

export const DATABASE_VARS = defineVars('Database', {
  DATABASE_URL: {
    default: 'postgres://postgres@127.0.0.1:5432/invoice_finance_sync',
    doc: 'PostgreSQL connection URL; TLS with ?sslmode=require, verify-ca or verify-full (as libpq). In the password, percent-encode / ? # % (as %2F %3F %23 %25); @ may stay as it is.',
    // Checked as MikroORM will read it (database-url.ts): a password with `/` or `%` unencoded is refused.
    schema: z.string().superRefine((value, ctx) => {
      const problem = databaseUrlProblem(value);
      if (problem) ctx.addIssue({ code: 'custom', message: `expected ${problem}` });
    }),
  },
  DATABASE_CA_FILE: {
    default: '',
    doc: 'PEM file of the CA that signed PostgreSQL’s certificate (sslmode verify-ca/-full).',
    schema: text,
  },
  MIGRATE_ON_START: { default: 'true', doc: 'Apply pending migrations at start.', schema: bool },
});

import { describe, expect, it } from 'vitest';
import { defineVars, type EnvVarSpec } from '../../../src/config/env/define-vars.ts';
import { int, text } from '../../../src/config/env/value-schemas.ts';
import { isSyncError } from '../../../src/failures/errors.ts';

function refusal(declare: () => unknown): string {
  try {
    declare();
  } catch (error) {
    if (!isSyncError(error)) throw error;
    expect(error.code).toBe('CONFIG_INVALID');
    return error.message;
  }
  throw new Error('expected the declaration to be refused');
}

describe('declaring environment variables', () => {
  it('gives each variable its group, frozen, and keeps its schema’s types', () => {
    const vars = defineVars('Pusher', {
      EXAMPLE_IN_FLIGHT: { default: '16', doc: 'Pushes in flight at once.', schema: int(1, 1024) },
    });
    expect(vars.EXAMPLE_IN_FLIGHT).toMatchObject({ default: '16', doc: 'Pushes in flight at once.' });
    expect(vars.EXAMPLE_IN_FLIGHT.group).toBe('Pusher');
    expect(Object.isFrozen(vars) && Object.isFrozen(vars.EXAMPLE_IN_FLIGHT)).toBe(true);
    const parsed: number = vars.EXAMPLE_IN_FLIGHT.schema.parse('8');
    expect(parsed).toBe(8);
  });

  it('does not compile a declaration without a doc, a schema or a default', () => {
    // Checked by `tsc --noEmit`: each line below must be a type error, or tsc fails on the directive.
    const declarations = () => [
      // @ts-expect-error no doc
      defineVars('Test', { NO_DOC: { default: '1', schema: int(1, 2) } }),
      // @ts-expect-error no schema
      defineVars('Test', { NO_SCHEMA: { default: '1', doc: 'A number.' } }),
      // @ts-expect-error no default
      defineVars('Test', { NO_DEFAULT: { doc: 'A number.', schema: int(1, 2) } }),
      // @ts-expect-error a default is the variable's text, not its value
      defineVars('Test', { NUMBER_DEFAULT: { default: 1, doc: 'A number.', schema: int(1, 2) } }),
    ];
    expect(declarations).toThrow(/declared without a doc/);
  });

  it('refuses at load, naming the variable, a declaration the types let through but that cannot work', () => {
    expect(refusal(() => defineVars('Test', { EMPTY_DOC: { default: '', doc: ' ', schema: text } }))).toBe(
      'invalid configuration:\n  EMPTY_DOC: declared without a doc',
    );
    const noSchema = { default: '', doc: 'Some text.' } as unknown as EnvVarSpec;
    expect(refusal(() => defineVars('Test', { NO_SCHEMA: noSchema }))).toBe(
      'invalid configuration:\n  NO_SCHEMA: declared without a schema',
    );
    expect(
      refusal(() =>
        defineVars('Test', { BAD_DEFAULT: { default: '0', doc: 'A count.', schema: int(1, 9) } }),
      ),
    ).toBe(
      'invalid configuration:\n  BAD_DEFAULT: declared with a default its schema refuses (Too small: expected number to be >=1)',
    );
  });
});

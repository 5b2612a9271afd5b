import type { z } from 'zod';
import { configError } from '../config-files.ts';

/**
 * One environment variable, declared once. Its name is its key in the group it is declared in; the
 * zod object schema (../env-schema.ts), `.env.example`, README.md's table and `start --help`
 * (../env-docs.ts) are all derived from these declarations.
 */
export interface EnvVarSpec<S extends z.ZodType = z.ZodType> {
  /** The text an unset or empty variable takes, as it would be written in the environment ('' for none). */
  readonly default: string;
  /** What it means, for operators: one or two sentences, units included. */
  readonly doc: string;
  /** Validates and converts the text; its messages name what it expected. */
  readonly schema: S;
}

/** A declared variable with the heading it is listed under. */
export interface EnvVar<S extends z.ZodType = z.ZodType> extends EnvVarSpec<S> {
  readonly group: string;
}

type Grouped<T extends Record<string, EnvVarSpec>> = {
  readonly [K in keyof T]: T[K] & { readonly group: string };
};

/**
 * Declares the variables listed under one heading, in the order they are documented. A declaration
 * the types let through but that cannot work (an empty doc, no schema, a default its own schema
 * refuses) stops the process at load, naming the variable.
 */
export function defineVars<T extends Record<string, EnvVarSpec>>(group: string, vars: T): Grouped<T> {
  const problems = Object.entries(vars).flatMap(([name, spec]) => {
    const problem = declarationProblem(spec);
    return problem === undefined ? [] : [`${name}: declared ${problem}`];
  });
  if (problems.length > 0) throw configError(problems);
  return Object.freeze(
    Object.fromEntries(Object.entries(vars).map(([name, spec]) => [name, Object.freeze({ ...spec, group })])),
  ) as Grouped<T>;
}

function declarationProblem(spec: Partial<EnvVarSpec> | undefined): string | undefined {
  if (typeof spec?.doc !== 'string' || spec.doc.trim() === '') return 'without a doc';
  if (typeof spec.schema?.safeParse !== 'function') return 'without a schema';
  if (typeof spec.default !== 'string') return 'without a default (use "" for none)';
  const parsed = spec.schema.safeParse(spec.default);
  if (!parsed.success) return `with a default its schema refuses (${parsed.error.issues[0]?.message})`;
  return undefined;
}

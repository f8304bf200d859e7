import type { AnyProcedure } from '@trpc/server';
import type { z } from 'zod';
import { appRouter } from '../trpc/router.ts';
import type { ProcedurePath } from './http-client.ts';

export interface ProcedureInfo {
  path: ProcedurePath;
  type: 'query' | 'mutation' | 'subscription';
  input: z.ZodType | undefined;
}

/** Every procedure of the app router, so suites cover new procedures without being told. */
export function listProcedures(): ProcedureInfo[] {
  const procedures = appRouter._def.procedures as unknown as Record<string, AnyProcedure>;
  return Object.entries(procedures).map(([path, procedure]) => {
    const def = procedure._def as unknown as { type: ProcedureInfo['type']; inputs: z.ZodType[] };
    // The router's own keys: every one is a ProcedurePath by construction.
    return { path: path as ProcedurePath, type: def.type, input: def.inputs[0] };
  });
}

/** Calls `path` on a caller built from the app router (createCaller). */
export function invoke(caller: unknown, path: string, input: unknown): Promise<unknown> {
  const fn = path.split('.').reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], caller);
  return (fn as (input: unknown) => Promise<unknown>)(input);
}

interface ZodInternals {
  _zod: {
    def: {
      type: string;
      format?: string;
      shape?: Record<string, unknown>;
      entries?: Record<string, string>;
      element?: unknown;
      innerType?: unknown;
      in?: unknown;
      values?: unknown[];
      left?: unknown;
    };
  };
}

/**
 * Inputs shaped like `schema` with every uuid field set to `uuid` (and other fields to plausible values),
 * to aim each procedure at a particular row. Returns one input per enum option at the top level so
 * role-like choices are all tried.
 */
export function sampleInput(schema: unknown, uuid: string): unknown {
  const def = (schema as ZodInternals)._zod.def;
  switch (def.type) {
    case 'object':
      return Object.fromEntries(
        Object.entries(def.shape ?? {}).map(([key, field]) => [key, sampleField(key, field, uuid)]),
      );
    default:
      return sampleField('', schema, uuid);
  }
}

function sampleField(key: string, schema: unknown, uuid: string): unknown {
  const def = (schema as ZodInternals)._zod.def;
  switch (def.type) {
    case 'string':
      if (def.format === 'uuid' || /id$/i.test(key)) return uuid;
      if (def.format === 'email' || key === 'email') return 'intruder@example.test';
      if (/token/i.test(key)) return 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';
      if (/password/i.test(key)) return 'an intruder password';
      return `probe-${key}`;
    case 'enum':
      return Object.values(def.entries ?? {})[0];
    case 'literal':
      return def.values?.[0];
    case 'number':
      return 1;
    case 'boolean':
      return false;
    case 'array':
      return [sampleField(key, def.element, uuid)];
    case 'optional':
    case 'nullable':
    case 'default':
    case 'readonly':
      return sampleField(key, def.innerType, uuid);
    case 'pipe':
      return sampleField(key, def.in, uuid);
    case 'object':
      return sampleInput(schema, uuid);
    default:
      return undefined;
  }
}

import type { z } from 'zod';

type Issue = z.core.$ZodIssue;

/** Names of fields whose key does not read well on its own. */
const fieldNames: Record<string, string> = {
  wabaId: 'WhatsApp Business Account id',
  metaAppId: 'Meta app id',
  tenantId: 'Workspace id',
  graphApiVersion: 'Graph API version',
  apiKey: 'API key',
};

/** "displayName" → "Display name"; the whole input when the path is empty. */
export function fieldLabel(path: readonly PropertyKey[]): string {
  const key = [...path].reverse().find((part): part is string => typeof part === 'string');
  if (!key) return 'The input';
  const known = fieldNames[key];
  if (known) return known;
  const spaced = key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[_.-]+/g, ' ')
    .toLowerCase()
    .trim();
  return spaced.charAt(0).toUpperCase() + spaced.slice(1);
}

const typeNames: Record<string, string> = {
  string: 'text',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  array: 'a list',
  object: 'an object',
  bigint: 'a number',
  date: 'a date',
};

function bound(
  issue: { origin: string },
  limit: number | bigint,
  inclusive: boolean | undefined,
  most: boolean,
) {
  const n = Number(limit);
  switch (issue.origin) {
    case 'string':
      return `must be ${most ? 'at most' : 'at least'} ${n} character${n === 1 ? '' : 's'}`;
    case 'array':
    case 'set':
      return `must have ${most ? 'at most' : 'at least'} ${n} item${n === 1 ? '' : 's'}`;
    default:
      return inclusive === false
        ? `must be ${most ? 'less' : 'more'} than ${n}`
        : `must be ${most ? 'at most' : 'at least'} ${n}`;
  }
}

/** What is wrong, as a phrase to follow the field's name. */
function predicate(issue: Issue): string {
  switch (issue.code) {
    case 'invalid_type':
      return /received undefined/.test(issue.message)
        ? 'is required'
        : `must be ${typeNames[issue.expected] ?? issue.expected}`;
    case 'too_big':
      return bound(issue, issue.maximum, issue.inclusive, true);
    case 'too_small':
      return issue.origin === 'string' && Number(issue.minimum) === 1
        ? 'is required'
        : bound(issue, issue.minimum, issue.inclusive, false);
    case 'invalid_format':
      switch (issue.format) {
        case 'email':
          return 'must be a valid email address';
        case 'uuid':
        case 'guid':
          return 'must be a valid id';
        case 'datetime':
          return 'must be a date and time like 2026-01-31T09:30:00Z';
        case 'date':
          return 'must be a date like 2026-01-31';
        case 'url':
          return 'must be a valid URL';
        default:
          return 'is not in the expected format';
      }
    case 'not_multiple_of':
      return `must be a multiple of ${Number(issue.divisor)}`;
    case 'invalid_value':
      return `must be one of: ${issue.values.map((value) => String(value)).join(', ')}`;
    case 'unrecognized_keys':
      return `has unknown field${issue.keys.length === 1 ? '' : 's'}: ${issue.keys.join(', ')}`;
    case 'invalid_key':
    case 'invalid_element':
      return 'contains an invalid entry';
    default:
      return 'is not valid';
  }
}

/**
 * One issue as a sentence a user understands. Messages written for users are kept: full sentences
 * ("Use at least 10 characters.") as they are, phrases starting in lower case ("must be at most 80
 * characters.") after the field's name. zod's own messages ("Too big: expected string to have <=120
 * characters") are for developers, so those are rewritten from the issue's code and limits.
 */
export function issueSentence(issue: Issue): string {
  const label = fieldLabel(issue.path);
  const message = issue.message.trim();
  if (/^[a-z]/.test(message)) return `${label} ${message.replace(/\.?$/, '.')}`;
  if (/\.$/.test(message)) return message;
  return `${label} ${predicate(issue)}.`;
}

export interface ReadableZodError {
  /** Every problem, one sentence each. */
  message: string;
  /** Problems with the input as a whole. */
  formErrors: string[];
  /** Problems per top-level field, for forms to show beside each field. */
  fieldErrors: Record<string, string[]>;
}

export function readableZodError(issues: readonly Issue[]): ReadableZodError {
  const formErrors: string[] = [];
  const fieldErrors: Record<string, string[]> = {};
  const sentences: string[] = [];
  for (const issue of issues) {
    const sentence = issueSentence(issue);
    if (!sentences.includes(sentence)) sentences.push(sentence);
    const field = issue.path[0];
    if (typeof field === 'string') (fieldErrors[field] ??= []).push(sentence);
    else formErrors.push(sentence);
  }
  return { message: sentences.join(' ') || 'The input is not valid.', formErrors, fieldErrors };
}

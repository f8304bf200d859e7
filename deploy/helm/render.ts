// Renders the Parley chart without helm (which no package registry reachable here ships): the subset of
// Go templates the chart's templates use — {{ .Values.x }}, pipelines (quote, nindent, indent, toYaml,
// default, required), include/define, if/else (with not), range over a map — with Helm's whitespace
// trimming. A template outside that subset fails loudly, so the chart cannot silently drift from it.
// `node deploy/helm/render.ts [values.yaml …]` prints the manifests; chart.test.ts validates them.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';

export const chartDir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'parley');

type Node =
  | { kind: 'text'; text: string }
  | { kind: 'action'; expr: string }
  | { kind: 'if'; cond: string; then: Node[]; otherwise: Node[] }
  | { kind: 'range'; keyVar: string; valueVar: string; expr: string; body: Node[] }
  | { kind: 'define'; name: string; body: Node[] };

interface Scope {
  dot: unknown;
  root: unknown;
  vars: Record<string, unknown>;
}

function tokenize(source: string): (string | { action: string })[] {
  const tokens: (string | { action: string })[] = [];
  const pattern = /\{\{(-?)\s*(.*?)\s*(-?)\}\}/gs;
  let last = 0;
  let trimNext = false;
  for (const match of source.matchAll(pattern)) {
    let text = source.slice(last, match.index);
    if (trimNext) text = text.replace(/^\s+/, '');
    if (match[1]) text = text.replace(/\s+$/, '');
    tokens.push(text);
    const action = match[2] ?? '';
    if (!action.startsWith('/*')) tokens.push({ action });
    trimNext = match[3] === '-';
    last = match.index + match[0].length;
  }
  let rest = source.slice(last);
  if (trimNext) rest = rest.replace(/^\s+/, '');
  tokens.push(rest);
  return tokens;
}

function parse(tokens: (string | { action: string })[], file: string): Node[] {
  let position = 0;
  function block(): { nodes: Node[]; end: string } {
    const nodes: Node[] = [];
    while (position < tokens.length) {
      const token = tokens[position++]!;
      if (typeof token === 'string') {
        if (token) nodes.push({ kind: 'text', text: token });
        continue;
      }
      const [keyword = '', ...rest] = token.action.split(/\s+/);
      const tail = rest.join(' ');
      if (keyword === 'end' || keyword === 'else') return { nodes, end: keyword };
      if (keyword === 'if') {
        const then = block();
        const otherwise = then.end === 'else' ? block().nodes : [];
        nodes.push({ kind: 'if', cond: tail, then: then.nodes, otherwise });
      } else if (keyword === 'range') {
        const match = /^\$(\w+),\s*\$(\w+)\s*:=\s*(.+)$/.exec(tail);
        if (!match) throw new Error(`${file}: only "range $k, $v := map" is supported: ${token.action}`);
        nodes.push({
          kind: 'range',
          keyVar: match[1]!,
          valueVar: match[2]!,
          expr: match[3]!,
          body: block().nodes,
        });
      } else if (keyword === 'define') {
        nodes.push({ kind: 'define', name: JSON.parse(tail) as string, body: block().nodes });
      } else {
        nodes.push({ kind: 'action', expr: token.action });
      }
    }
    return { nodes, end: 'eof' };
  }
  const { nodes, end } = block();
  if (end !== 'eof') throw new Error(`${file}: unexpected {{ ${end} }}`);
  return nodes;
}

function words(expr: string): string[] {
  return expr.match(/"(?:[^"\\]|\\.)*"|\S+/g) ?? [];
}

function truthy(value: unknown): boolean {
  if (Array.isArray(value)) return value.length > 0;
  if (value && typeof value === 'object') return Object.keys(value).length > 0;
  return Boolean(value);
}

function print(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'object')
    throw new Error(`cannot print an object without toYaml: ${JSON.stringify(value)}`);
  return typeof value === 'string' ? value : JSON.stringify(value);
}

class Renderer {
  readonly defines = new Map<string, Node[]>();

  operand(word: string, scope: Scope): unknown {
    if (word.startsWith('"')) return JSON.parse(word) as string;
    if (/^-?\d+(\.\d+)?$/.test(word)) return Number(word);
    if (word === 'true' || word === 'false') return word === 'true';
    if (word === '.') return scope.dot;
    const [head, ...fields] = word.split('.');
    let value: unknown;
    if (head === '') value = scope.dot;
    else if (head === '$') value = scope.root;
    else if (head?.startsWith('$')) value = scope.vars[head.slice(1)];
    else throw new Error(`unknown function or value "${word}"`);
    for (const field of fields.filter(Boolean)) {
      value = value && typeof value === 'object' ? (value as Record<string, unknown>)[field] : undefined;
    }
    return value;
  }

  call(name: string, args: unknown[], scope: Scope): unknown {
    const [first, second] = args;
    switch (name) {
      case 'quote':
        return JSON.stringify(print(first));
      case 'nindent':
      case 'indent': {
        const pad = ' '.repeat(Number(first));
        const text = print(second)
          .split('\n')
          .map((line) => pad + line)
          .join('\n');
        return name === 'nindent' ? `\n${text}` : text;
      }
      case 'toYaml':
        return YAML.stringify(first).trimEnd();
      case 'default':
        return truthy(second) ? second : first;
      case 'required':
        if (!truthy(second)) throw new Error(`required value missing: ${print(first)}`);
        return second;
      case 'not':
        return !truthy(first);
      case 'include': {
        const body = this.defines.get(String(first));
        if (!body) throw new Error(`include of undefined template "${String(first)}"`);
        return this.nodes(body, { ...scope, dot: second, vars: {} });
      }
      default:
        throw new Error(`unsupported function "${name}"`);
    }
  }

  evaluate(expr: string, scope: Scope): unknown {
    const functions = new Set([
      'quote',
      'nindent',
      'indent',
      'toYaml',
      'default',
      'required',
      'not',
      'include',
    ]);
    let piped: unknown[] = [];
    for (const command of expr.split(/\s\|\s/)) {
      const [head = '', ...rest] = words(command.trim());
      if (functions.has(head)) {
        piped = [this.call(head, [...rest.map((word) => this.operand(word, scope)), ...piped], scope)];
      } else {
        if (rest.length > 0 || piped.length > 0) throw new Error(`cannot evaluate "${command}"`);
        piped = [this.operand(head, scope)];
      }
    }
    return piped[0];
  }

  nodes(nodes: Node[], scope: Scope): string {
    let out = '';
    for (const node of nodes) {
      if (node.kind === 'text') out += node.text;
      else if (node.kind === 'action') out += print(this.evaluate(node.expr, scope));
      else if (node.kind === 'define') this.defines.set(node.name, node.body);
      else if (node.kind === 'if') {
        out += this.nodes(truthy(this.evaluate(node.cond, scope)) ? node.then : node.otherwise, scope);
      } else {
        const map = (this.evaluate(node.expr, scope) ?? {}) as Record<string, unknown>;
        for (const key of Object.keys(map).sort()) {
          const vars = { ...scope.vars, [node.keyVar]: key, [node.valueVar]: map[key] };
          out += this.nodes(node.body, { ...scope, dot: map[key], vars });
        }
      }
    }
    return out;
  }
}

function merge(base: unknown, override: unknown): unknown {
  if (
    !base ||
    !override ||
    typeof base !== 'object' ||
    typeof override !== 'object' ||
    Array.isArray(override)
  ) {
    return override === undefined ? base : override;
  }
  const merged: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  for (const [key, value] of Object.entries(override)) merged[key] = merge(merged[key], value);
  return merged;
}

/** The chart's manifests (one object per document) for these values over values.yaml. */
export function renderChart(
  overrides: Record<string, unknown> = {},
  releaseName = 'parley',
): Record<string, unknown>[] {
  const chart = YAML.parse(readFileSync(path.join(chartDir, 'Chart.yaml'), 'utf8')) as Record<
    string,
    unknown
  >;
  const defaults = YAML.parse(readFileSync(path.join(chartDir, 'values.yaml'), 'utf8')) as unknown;
  const root = {
    Values: merge(defaults, overrides),
    Release: { Name: releaseName, Namespace: 'default', Service: 'Helm' },
    Chart: { Name: chart.name, Version: chart.version, AppVersion: chart.appVersion },
  };
  const renderer = new Renderer();
  const files = readdirSync(path.join(chartDir, 'templates')).sort((a, b) =>
    // Helpers (_*.tpl) first, as Helm loads every define before rendering.
    a.startsWith('_') === b.startsWith('_') ? a.localeCompare(b) : a.startsWith('_') ? -1 : 1,
  );
  const documents: Record<string, unknown>[] = [];
  for (const file of files) {
    const source = readFileSync(path.join(chartDir, 'templates', file), 'utf8');
    const text = renderer.nodes(parse(tokenize(source), file), { dot: root, root, vars: {} });
    if (file.startsWith('_')) continue;
    for (const document of YAML.parseAllDocuments(text)) {
      if (document.errors.length > 0) throw new Error(`${file}: ${document.errors[0]?.message}\n${text}`);
      const value = document.toJS() as Record<string, unknown> | null;
      if (value) documents.push(value);
    }
  }
  return documents;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const overrides = process.argv
    .slice(2)
    .reduce<unknown>((values, file) => merge(values, YAML.parse(readFileSync(file, 'utf8'))), {});
  const documents = renderChart(overrides as Record<string, unknown>);
  process.stdout.write(documents.map((document) => YAML.stringify(document)).join('---\n'));
}

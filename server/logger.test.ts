import { describe, expect, it } from 'vitest';
import { createLogger, lazyChildLogger, type Logger } from './logger.ts';

function capture(level: string) {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger(level, {
    write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>),
  });
  let children = 0;
  const counting = new Proxy(logger, {
    get(target, property, receiver) {
      if (property === 'child')
        return (...args: Parameters<Logger['child']>) => {
          children++;
          return target.child(...args);
        };
      return Reflect.get(target, property, receiver) as unknown;
    },
  });
  return { logger: counting, lines, children: () => children };
}

describe('per-request loggers', () => {
  it('are made only when a request logs at an enabled level', () => {
    const { logger, lines, children } = capture('warn');
    const request = lazyChildLogger(logger, { reqId: 'r-1' }, { level: 'warn' });
    request.info('request completed');
    request.debug({ x: 1 }, 'noise');
    expect(children()).toBe(0);
    expect(lines).toEqual([]);
    expect(request.level).toBe('warn');
  });

  it('log, once enabled, exactly as a child made up front: bindings, level and redaction', () => {
    const { logger, lines, children } = capture('info');
    const request = lazyChildLogger(logger, { reqId: 'r-2' }, {});
    request.warn({ appKey: 'k', channel: { appSecret: 'shh' } }, 'webhook refused');
    request.info('second line');
    expect(children()).toBe(1);
    expect(lines).toMatchObject([
      { level: 40, reqId: 'r-2', appKey: 'k', channel: { appSecret: '[redacted]' }, msg: 'webhook refused' },
      { level: 30, reqId: 'r-2', msg: 'second line' },
    ]);
    expect(JSON.stringify(lines)).not.toContain('shh');
  });

  it('pass children and level changes on to the real logger', () => {
    const { logger, lines } = capture('info');
    const request = lazyChildLogger(logger, { reqId: 'r-3' }, { level: 'warn' });
    request.child({ procedure: 'p' }).warn('from a grandchild');
    request.level = 'debug';
    request.debug('now enabled');
    expect(lines).toMatchObject([
      { reqId: 'r-3', procedure: 'p', msg: 'from a grandchild' },
      { reqId: 'r-3', level: 20, msg: 'now enabled' },
    ]);
  });
});

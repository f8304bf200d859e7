// @vitest-environment jsdom
import { MantineProvider } from '@mantine/core';
import { act, cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { NewMessagesPill, useFollowNewest } from './NewMessagesPill.tsx';

/**
 * Live inserts without jumps: the thread follows new messages while the agent is at the bottom, and
 * shows "N new messages" instead of moving while they read further up.
 */

const messageHeight = 100;
const viewportHeight = 300;
const scrollTops = new WeakMap<Element, number>();
const saved: [string, PropertyDescriptor | undefined][] = [];

beforeAll(() => {
  window.matchMedia = (query: string) =>
    ({
      matches: false,
      media: query,
      onchange: null,
      addListener: () => undefined,
      removeListener: () => undefined,
      addEventListener: () => undefined,
      removeEventListener: () => undefined,
      dispatchEvent: () => false,
    }) as MediaQueryList;
  // jsdom lays nothing out: the viewport is as tall as its messages, and scrolls like a browser's.
  const define = (name: string, descriptor: PropertyDescriptor) => {
    saved.push([name, Object.getOwnPropertyDescriptor(HTMLElement.prototype, name)]);
    Object.defineProperty(HTMLElement.prototype, name, { configurable: true, ...descriptor });
  };
  define('scrollHeight', {
    get(this: HTMLElement) {
      return this.dataset.viewport ? this.querySelectorAll('[data-message]').length * messageHeight : 0;
    },
  });
  define('clientHeight', {
    get(this: HTMLElement) {
      return this.dataset.viewport ? viewportHeight : 0;
    },
  });
  define('scrollTop', {
    get(this: HTMLElement) {
      return scrollTops.get(this) ?? 0;
    },
    set(this: HTMLElement, value: number) {
      scrollTops.set(this, Math.max(0, Math.min(value, this.scrollHeight - this.clientHeight)));
    },
  });
  define('scrollTo', {
    value(this: HTMLElement, options: ScrollToOptions) {
      this.scrollTop = options.top ?? 0;
      this.dispatchEvent(new Event('scroll'));
    },
  });
});
afterAll(() => {
  for (const [name, descriptor] of saved) {
    if (descriptor) Object.defineProperty(HTMLElement.prototype, name, descriptor);
    else delete (HTMLElement.prototype as unknown as Record<string, unknown>)[name];
  }
});
afterEach(cleanup);

interface Item {
  id: string;
  direction: 'inbound' | 'outbound';
}

/** The thread's scrolling as Thread uses it, around plain elements. */
function Harness({ messages }: { messages: Item[] }) {
  const scroll = useFollowNewest(messages);
  return (
    <div style={{ position: 'relative' }}>
      <div ref={scroll.viewport} data-viewport="yes" data-testid="viewport" onScroll={scroll.onScroll}>
        {messages.map((m) => (
          <div key={m.id} data-message>
            {m.id}
          </div>
        ))}
      </div>
      <NewMessagesPill count={scroll.unseen} onClick={scroll.scrollToNewest} />
    </div>
  );
}

const inbound = (n: number): Item[] =>
  Array.from({ length: n }, (_, i) => ({ id: `m${i + 1}`, direction: 'inbound' }));

function renderThread(messages: Item[]) {
  const view = render(
    <MantineProvider>
      <Harness messages={messages} />
    </MantineProvider>,
  );
  return {
    viewport: screen.getByTestId('viewport'),
    update: (next: Item[]) =>
      view.rerender(
        <MantineProvider>
          <Harness messages={next} />
        </MantineProvider>,
      ),
  };
}

describe('a thread with live inserts', () => {
  it('opens at the newest message', () => {
    const { viewport } = renderThread(inbound(10));
    expect(viewport.scrollTop).toBe(10 * messageHeight - viewportHeight);
    expect(screen.queryByTestId('new-messages')).toBeNull();
  });

  it('at the bottom, a new message scrolls into view and no pill shows', () => {
    const { viewport, update } = renderThread(inbound(10));
    update(inbound(11));
    expect(viewport.scrollTop).toBe(11 * messageHeight - viewportHeight);
    expect(screen.queryByTestId('new-messages')).toBeNull();
  });

  it('scrolled up, new messages do not move the reader: a pill counts them, and clicking it goes down', () => {
    const { viewport, update } = renderThread(inbound(10));
    viewport.scrollTop = 200;
    fireEvent.scroll(viewport);
    update(inbound(11));
    expect(viewport.scrollTop).toBe(200);
    expect(screen.getByTestId('new-messages').textContent).toContain('1 new message');
    update(inbound(13));
    expect(viewport.scrollTop).toBe(200);
    expect(screen.getByTestId('new-messages').textContent).toContain('3 new messages');

    act(() => screen.getByTestId('new-messages').click());
    expect(viewport.scrollTop).toBe(13 * messageHeight - viewportHeight);
    expect(screen.queryByTestId('new-messages')).toBeNull();
  });

  it("counts the customer's messages, not the team's replies", () => {
    const { viewport, update } = renderThread(inbound(10));
    viewport.scrollTop = 0;
    fireEvent.scroll(viewport);
    update([...inbound(10), { id: 'reply', direction: 'outbound' }, { id: 'm11', direction: 'inbound' }]);
    expect(screen.getByTestId('new-messages').textContent).toContain('1 new message');
  });

  it('scrolling back down by hand clears the pill', () => {
    const { viewport, update } = renderThread(inbound(10));
    viewport.scrollTop = 100;
    fireEvent.scroll(viewport);
    update(inbound(12));
    expect(screen.getByTestId('new-messages')).toBeTruthy();
    viewport.scrollTop = 12 * messageHeight;
    fireEvent.scroll(viewport);
    expect(screen.queryByTestId('new-messages')).toBeNull();
  });
});

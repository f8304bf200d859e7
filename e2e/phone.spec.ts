import { expect, test, type Page } from '@playwright/test';
import {
  connectSimulator,
  customerSends,
  expectNoSidewaysScroll,
  expectWholeStatusBadges,
  goTo,
  phone,
  signIn,
  signUp,
  simulator,
  type Account,
} from './support.ts';

// The second simulated WABA and its number (inbox.spec.ts uses the first): one workspace each.
const wabaId = '310000000000002';
const numberId = '420000000000002';

test.describe.configure({ mode: 'serial' });
let owner: Account;

const shot = (page: Page, name: string) =>
  page.screenshot({ path: test.info().outputPath(`${name}.png`), fullPage: true });

test('on a phone (390 px): every page fits, the menu opens, a conversation is opened and answered', async ({
  page,
  request,
}) => {
  await page.setViewportSize(phone);
  await page.goto('/');
  await expectNoSidewaysScroll(page);
  owner = await signUp(page, 'Pia Phone', 'Phone Shop');
  await expectNoSidewaysScroll(page);
  await shot(page, 'phone-inbox-empty');

  // The navigation is a menu behind the burger, not a panel over the app.
  await expect(page.getByRole('navigation')).not.toBeInViewport();
  await page.getByRole('button', { name: 'Open menu' }).click();
  await expect(page.getByRole('navigation')).toBeInViewport({ ratio: 1 });
  await shot(page, 'phone-menu');
  await page.getByRole('button', { name: 'Close menu' }).click();
  await expect(page.getByRole('navigation')).not.toBeInViewport();

  await connectSimulator(page, request, wabaId);
  await expectNoSidewaysScroll(page);
  await shot(page, 'phone-channels');

  for (const section of ['Team', 'API keys', 'Webhook log']) {
    await goTo(page, section);
    await expect(page.getByRole('heading', { name: section })).toBeVisible();
    await expectNoSidewaysScroll(page);
    await shot(page, `phone-${section.toLowerCase().replace(' ', '-')}-first`);
  }

  await customerSends(
    request,
    numberId,
    '15550177777',
    { type: 'text', text: { body: 'Do you ship to Oslo? I need the jacket by Friday, please let me know.' } },
    'Ola Nordmann',
  );
  await goTo(page, 'Inbox');
  const conversation = page.getByTestId('conversation').filter({ hasText: 'Ola Nordmann' });
  await conversation.click();
  // On a phone the thread replaces the list, with a way back.
  await expect(page.getByTestId('message').filter({ hasText: 'Do you ship to Oslo?' })).toBeVisible();
  await expect(page.getByTestId('conversation')).toHaveCount(0);
  await expectNoSidewaysScroll(page);

  // Enter sends; the reply goes out and is read.
  await page.getByRole('textbox', { name: 'Reply' }).fill('Yes, in 2 days.');
  await page.getByRole('textbox', { name: 'Reply' }).press('Enter');
  const reply = page.getByTestId('message').filter({ hasText: 'Yes, in 2 days.' });
  await expect(reply.getByTestId('message-status')).toHaveAttribute('aria-label', /read/, {
    timeout: 15_000,
  });
  await expect(page.getByRole('textbox', { name: 'Reply' })).toHaveValue('');

  // The customer reacts to the reply: the emoji shows under it.
  const outbound = (await (await request.get(`${simulator}/_simulator/messages`)).json()) as {
    wamid: string;
    to: string;
  }[];
  const replyWamid = outbound.filter((m) => m.to === '15550177777').at(-1)?.wamid;
  await customerSends(request, numberId, '15550177777', {
    type: 'reaction',
    reaction: { message_id: replyWamid, emoji: '🙏' },
  });
  await expect(page.getByTestId('reactions').filter({ hasText: '🙏' })).toBeVisible({ timeout: 10_000 });
  await expectNoSidewaysScroll(page);
  await shot(page, 'phone-thread');

  await page.getByRole('button', { name: 'Back to conversations' }).click();
  await expect(conversation).toBeVisible();

  // The webhook log: each event with its whole status badge, and the payload opens on screen.
  await goTo(page, 'Webhook log');
  const event = page.getByTestId('webhook-event').filter({ hasText: 'text message from 15550177777' });
  await expect(event.getByText('processed')).toBeInViewport({ ratio: 1 });
  await expectWholeStatusBadges(page);
  await expectNoSidewaysScroll(page);
  await shot(page, 'phone-webhook-log');
  await event.click();
  await expect(page.getByTestId('webhook-payload')).toContainText('Do you ship to Oslo?');
  await expect(page.getByTestId('webhook-payload')).toBeInViewport();
  await shot(page, 'phone-webhook-payload');
});

test('a long thread opens at its newest message and reaches older ones by scrolling up; the inbox pages too', async ({
  page,
  request,
}) => {
  await signIn(page, owner);
  for (let i = 1; i <= 60; i++) {
    await customerSends(
      request,
      numberId,
      '15550188888',
      { type: 'text', text: { body: `line ${i}` } },
      'Lena Long',
    );
  }
  const conversation = page.getByTestId('conversation').filter({ hasText: 'Lena Long' });
  await expect(conversation).toContainText('line 60', { timeout: 15_000 });
  await conversation.click();
  const message = (text: string) =>
    page.getByTestId('message').filter({ has: page.getByText(text, { exact: true }) });
  await expect(message('line 60')).toBeInViewport();
  await expect(message('line 1')).toHaveCount(0);

  await page.getByTestId('thread').hover();
  for (let i = 0; i < 10 && (await message('line 1').count()) === 0; i++) await page.mouse.wheel(0, -5000);
  await expect(message('line 1')).toBeVisible();
  await expect(page.getByTestId('message')).toHaveCount(60);

  // Shift+Enter is a new line; the counter shows WhatsApp's limit, and a reply over it says why it was refused.
  const box = page.getByRole('textbox', { name: 'Reply' });
  await box.fill('first line');
  await box.press('Shift+Enter');
  await box.pressSequentially('second line');
  await expect(box).toHaveValue('first line\nsecond line');
  await expect(page.getByTestId('reply-length')).toHaveText('22 / 4,096');
  await box.fill('x'.repeat(4097));
  await expect(page.getByTestId('reply-length')).toContainText('4,097 / 4,096');
  await page.getByRole('button', { name: 'Send' }).click();
  await expect(page.getByText('A WhatsApp message can have at most 4096 characters.')).toBeVisible();
  await shot(page, 'desktop-thread');

  await goTo(page, 'Webhook log');
  await expectWholeStatusBadges(page);
  await shot(page, 'desktop-webhook-log');

  // The conversation list pages too: with more than a page of customers, scrolling down reaches them all.
  for (let i = 1; i <= 50; i++) {
    await customerSends(request, numberId, `155502${String(i).padStart(5, '0')}`, {
      type: 'text',
      text: { body: `hello from customer ${i}` },
    });
  }
  await goTo(page, 'Inbox');
  const conversations = page.getByTestId('conversation');
  // Meta's timestamps have one-second resolution, so customers who wrote in the same second may come in
  // either order; what matters is that the newest are on the first page and every one is reachable.
  await expect(conversations.first()).toContainText('hello from customer', { timeout: 15_000 });
  await expect(conversations).toHaveCount(50);
  await conversations.last().scrollIntoViewIfNeeded();
  await page
    .getByRole('button', { name: 'Load more conversations' })
    .or(conversations.nth(50))
    .first()
    .click();
  await expect(conversations).toHaveCount(52, { timeout: 15_000 });
  await expect(page.getByRole('button', { name: 'Load more conversations' })).toHaveCount(0);
  for (const i of [1, 25, 50])
    await expect(conversations.filter({ hasText: new RegExp(`hello from customer ${i}$`) })).toHaveCount(1);
});

test('each role sees what it can do: agents reply but do not administer, viewers only read', async ({
  page,
  browser,
  request,
}) => {
  // Ola writes again, so the conversation is on the inbox's first page.
  await customerSends(request, numberId, '15550177777', { type: 'text', text: { body: 'Any news?' } });
  await signIn(page, owner);
  const invite = async (role: 'agent' | 'viewer') => {
    await goTo(page, 'Team');
    await page.getByLabel('Invite by email').fill(`${role}-${Date.now()}@example.test`);
    await page.getByRole('combobox', { name: 'Role' }).click();
    await page.getByRole('option', { name: role, exact: true }).click();
    await expect(page.getByRole('combobox', { name: 'Role' })).toHaveValue(role);
    const links = page.getByText(/\/invite\//);
    const before = (await links.count()) > 0 ? await links.last().textContent() : null;
    await page.getByRole('button', { name: 'Invite' }).click();
    await expect(links.last()).not.toHaveText(before ?? '', { useInnerText: true });
    const link = await links.last().textContent();
    return new URL(link ?? '').pathname;
  };
  const join = async (path: string, name: string) => {
    const context = await browser.newContext({ viewport: phone });
    const member = await context.newPage();
    await member.goto(path);
    await signUp(member, name);
    return member;
  };

  const agent = await join(await invite('agent'), 'Aino Agent');
  await agent.getByRole('button', { name: 'Open menu' }).click();
  const nav = agent.getByRole('navigation');
  await expect(nav.getByText('Inbox', { exact: true })).toBeVisible();
  await expect(nav.getByText('API keys', { exact: true })).toHaveCount(0);
  await expect(nav.getByText('Webhook log', { exact: true })).toHaveCount(0);
  await nav.getByText('Channels', { exact: true }).click();
  await expect(agent.getByTestId('channel')).toBeVisible();
  await expect(agent.getByRole('button', { name: 'Test and connect' })).toHaveCount(0);
  await goTo(agent, 'Team');
  await expect(agent.getByLabel('Invite by email')).toHaveCount(0);
  await goTo(agent, 'Inbox');
  await agent.getByTestId('conversation').filter({ hasText: 'Ola Nordmann' }).click();
  await expect(agent.getByRole('textbox', { name: 'Reply' })).toBeEditable();

  const viewer = await join(await invite('viewer'), 'Vera Viewer');
  await viewer.getByTestId('conversation').filter({ hasText: 'Ola Nordmann' }).click();
  await expect(viewer.getByTestId('message').filter({ hasText: 'Do you ship to Oslo?' })).toBeVisible();
  await expect(viewer.getByRole('textbox', { name: 'Reply' })).toHaveCount(0);
  await expect(viewer.getByText('Viewers can read conversations but not reply.')).toBeVisible();
  await viewer.screenshot({ path: test.info().outputPath('phone-viewer.png'), fullPage: true });
});

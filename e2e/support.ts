import { expect, type APIRequestContext, type Browser, type Page } from '@playwright/test';
import { simulatorPort } from './playwright.config.ts';

export const simulator = `http://127.0.0.1:${simulatorPort}`;
export const appSecret = 'e2e-app-secret-0123456789';
export const phone = { width: 390, height: 844 };

export interface Account {
  email: string;
  password: string;
}

/** Creates an account (and its workspace, or joins the invitation already open in the page). */
export async function signUp(page: Page, name: string, workspace?: string): Promise<Account> {
  const account = {
    email: `${name.toLowerCase().replace(/\W+/g, '-')}-${Date.now()}@example.test`,
    password: 'a long enough password',
  };
  if (workspace) await page.getByRole('tab', { name: 'Create account' }).click();
  const form = page.getByRole('tabpanel', { name: 'Create account' });
  await form.getByLabel('Your name').fill(name);
  await form.getByLabel('Email').fill(account.email);
  await form.getByRole('textbox', { name: 'Password' }).fill(account.password);
  if (workspace) {
    await form.getByLabel('Workspace name').fill(workspace);
    await form.getByRole('button', { name: 'Create account' }).click();
  } else {
    await form.getByRole('button', { name: 'Create account and join' }).click();
  }
  // Password hashing (argon2) on a loaded machine can take seconds.
  await expect(page.getByRole('heading', { name: 'Inbox' })).toBeVisible({ timeout: 20_000 });
  return account;
}

export async function signIn(page: Page, account: Account) {
  await page.goto('/');
  const form = page.getByRole('tabpanel', { name: 'Sign in' });
  await form.getByLabel('Email').fill(account.email);
  await form.getByRole('textbox', { name: 'Password' }).fill(account.password);
  await form.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('heading', { name: 'Inbox' })).toBeVisible();
}

/** Opens a section from the navbar, through the burger menu when the screen is narrow. */
export async function goTo(page: Page, section: string) {
  const burger = page.getByRole('button', { name: 'Open menu' });
  const narrow = await burger.isVisible();
  if (narrow) await burger.click();
  await page.getByRole('navigation').getByText(section, { exact: true }).click();
  // Choosing a section closes the menu; wait for it to slide away (screenshots would catch it midway).
  if (narrow) await expect(page.getByRole('navigation')).not.toBeInViewport();
}

/** A second (third…) person at their own desktop browser, at `path` (an invitation link, say). */
export async function newMember(browser: Browser, path = '/') {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  await page.goto(path);
  return page;
}

/** Starts the workspace's sandbox from Channels (a customer writes at once), then returns to the inbox. */
export async function startSandbox(page: Page) {
  await goTo(page, 'Channels');
  await page.getByRole('button', { name: 'Try the sandbox' }).click();
  await expect(page.getByTestId('channel').filter({ hasText: 'Sandbox' })).toBeVisible();
  await goTo(page, 'Inbox');
}

/** Invites an agent from Team; returns the invitation link's path, for newMember(). */
export async function inviteAgent(page: Page, emailPrefix: string): Promise<string> {
  await goTo(page, 'Team');
  await page.getByLabel('Invite by email').fill(`${emailPrefix}-${Date.now()}@example.test`);
  await page.getByRole('combobox', { name: 'Role' }).click();
  await page.getByRole('option', { name: 'agent', exact: true }).click();
  await page.getByRole('button', { name: 'Invite' }).click();
  const link = await page
    .getByText(/\/invite\//)
    .last()
    .textContent();
  return new URL(link ?? '').pathname;
}

/** Connects the simulator's WABA through the Channels form and points its webhooks at Parley. */
export async function connectSimulator(page: Page, request: APIRequestContext, wabaId: string) {
  await goTo(page, 'Channels');
  await page.getByLabel('Channel name').fill('Main number');
  await page.getByLabel('Meta app id').fill('900000000000001');
  await page.getByRole('textbox', { name: 'App secret' }).fill(appSecret);
  await page.getByRole('textbox', { name: 'Verify token (you choose it)' }).fill('e2e-verify-token');
  await page.getByLabel('WhatsApp Business Account id').fill(wabaId);
  await page.getByRole('textbox', { name: 'System user access token' }).fill('simulator-access-token');
  await page.getByRole('button', { name: 'Test and connect' }).click();
  const webhookUrl = (await page.getByTestId('webhook-url').textContent()) ?? '';
  expect(webhookUrl).toMatch(/\/webhooks\/whatsapp\/[a-z2-7]{32}$/);
  const target = await request.put(`${simulator}/_simulator/webhook`, {
    data: { url: webhookUrl, appSecret, wabaId },
  });
  expect(target.ok()).toBe(true);
}

/** The simulator's customer `from` writes to number `phoneNumberId`; returns the message's wamid. */
export async function customerSends(
  request: APIRequestContext,
  phoneNumberId: string,
  from: string,
  message: object,
  name?: string,
): Promise<string> {
  const sent = await request.post(`${simulator}/_simulator/customer-messages`, {
    data: { phoneNumberId, from, message, ...(name ? { profile: { name } } : {}) },
  });
  expect(sent.ok(), await sent.text()).toBe(true);
  return ((await sent.json()) as { wamid: string }).wamid;
}

/** Nothing on the page is wider than the screen: no sideways scrolling. */
export async function expectNoSidewaysScroll(page: Page) {
  const { scrollWidth, innerWidth } = await page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: window.innerWidth,
  }));
  expect(scrollWidth, 'page is wider than the screen').toBeLessThanOrEqual(innerWidth);
}

/** The webhook log's status badges show their whole word (Mantine truncates a badge label that does not fit). */
export async function expectWholeStatusBadges(page: Page) {
  const labels = page.getByTestId('webhook-event').getByText(/^(processed|failed)$/);
  await expect(labels.first()).toBeVisible();
  for (const label of await labels.all()) {
    const { scrollWidth, clientWidth } = await label.evaluate((element) => ({
      scrollWidth: element.scrollWidth,
      clientWidth: element.clientWidth,
    }));
    expect(scrollWidth, 'status badge is cut off').toBeLessThanOrEqual(clientWidth);
  }
}

/** Calls a tRPC procedure as the signed-in page (its cookies; mutations with the page's Origin, as CSRF wants). */
export async function procedure<T = unknown>(
  page: Page,
  path: string,
  input?: unknown,
  type: 'query' | 'mutation' = 'mutation',
): Promise<T> {
  const origin = new URL(page.url()).origin;
  const response =
    type === 'query'
      ? await page.request.get(
          `/trpc/${path}${input === undefined ? '' : `?input=${encodeURIComponent(JSON.stringify(input))}`}`,
        )
      : await page.request.post(`/trpc/${path}`, { data: input, headers: { origin } });
  expect(response.ok(), await response.text()).toBe(true);
  return ((await response.json()) as { result: { data: T } }).result.data;
}

/** Contacts straight through contact.create (no contacts UI needed); their ids. */
export async function createContacts(
  page: Page,
  contacts: { phone: string; name?: string; tags?: string[]; optInSource?: string }[],
): Promise<string[]> {
  const ids: string[] = [];
  for (const contact of contacts) {
    const created = await procedure<{ id: string }>(page, 'contact.create', contact);
    ids.push(created.id);
  }
  return ids;
}

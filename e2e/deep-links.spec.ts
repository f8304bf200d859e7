import { expect, test, type Page } from '@playwright/test';
import { phone, signIn, signUp, type Account } from './support.ts';

test.describe.configure({ mode: 'serial' });

const firstMessage = 'Hi! Is the blue jacket still in stock?';
const conversationUrl = /\/inbox\/[0-9a-f-]{36}$/;
let owner: Account;
let link: string;

const shot = (page: Page, name: string) =>
  page.screenshot({ path: test.info().outputPath(`${name}.png`), fullPage: true });
const thread = (page: Page) => page.getByTestId('message').filter({ hasText: firstMessage });

test('a conversation has its own address: a new tab, a reload and the back button all keep it', async ({
  page,
  context,
}) => {
  await page.setViewportSize({ width: 1280, height: 860 });
  await page.goto('/signup');
  owner = await signUp(page, 'Dora Deeplink', 'Link Shop');
  await expect(page).toHaveURL(/\/inbox$/);

  await page.getByRole('navigation').getByText('Channels', { exact: true }).click();
  await expect(page).toHaveURL(/\/channels$/);
  await page.getByRole('button', { name: 'Try the sandbox' }).click();
  await expect(page.getByTestId('channel').filter({ hasText: 'Sandbox' })).toBeVisible();

  // Opening a conversation changes the address; the list entry is a real link to it.
  await page.getByRole('navigation').getByText('Inbox', { exact: true }).click();
  const entry = page.getByTestId('conversation').filter({ hasText: 'Maya Lindqvist' });
  await expect(entry).toHaveAttribute('href', conversationUrl);
  await entry.click();
  await expect(page).toHaveURL(conversationUrl);
  await expect(thread(page)).toBeVisible();
  link = page.url();

  // The same address in a new tab opens the same conversation.
  const tab = await context.newPage();
  await tab.setViewportSize({ width: 1280, height: 860 });
  await tab.goto(link);
  await expect(thread(tab)).toBeVisible();
  await expect(tab.getByTestId('conversation').filter({ hasText: 'Maya Lindqvist' })).toHaveAttribute(
    'aria-current',
    'page',
  );
  await expect(tab).toHaveTitle('Maya Lindqvist · Parley');
  await tab.close();

  // A reload keeps it.
  await page.reload();
  await expect(page).toHaveURL(link);
  await expect(thread(page)).toBeVisible();

  // History works like pages: away to Channels, back to the conversation, back to the bare inbox.
  await page.getByRole('navigation').getByText('Channels', { exact: true }).click();
  await expect(page).toHaveURL(/\/channels$/);
  await page.goBack();
  await expect(page).toHaveURL(link);
  await expect(thread(page)).toBeVisible();
  await page.goBack();
  await expect(page).toHaveURL(/\/inbox$/);
  await expect(page.getByText('Choose a conversation.')).toBeVisible();
  await page.goForward();
  await expect(thread(page)).toBeVisible();
  await shot(page, 'deep-link-desktop-light');

  // Dark mode: the header's toggle switches the colours, and the choice survives a reload.
  await page.getByRole('button', { name: 'Use dark colours' }).click();
  await expect(page.locator('html')).toHaveAttribute('data-mantine-color-scheme', 'dark');
  await page.reload();
  await expect(page.locator('html')).toHaveAttribute('data-mantine-color-scheme', 'dark');
  await expect(thread(page)).toBeVisible();
  await expect(page.getByTestId('customer-panel')).toBeVisible();
  await shot(page, 'deep-link-desktop-dark');
  await page.getByRole('button', { name: 'Use light colours' }).click();
  await expect(page.locator('html')).toHaveAttribute('data-mantine-color-scheme', 'light');

  // An address that names no conversation of this workspace says so instead of showing a blank thread.
  await page.goto('/inbox/01900000-0000-7000-8000-00000000dead');
  await expect(page.getByTestId('conversation-missing')).toBeVisible();
});

test('on a phone (390 px) the address shows the thread, and back returns to /inbox', async ({ browser }) => {
  for (const colorScheme of ['light', 'dark'] as const) {
    const context = await browser.newContext({ viewport: phone, colorScheme });
    const page = await context.newPage();
    await signIn(page, owner);

    // Opened from a link: the thread alone, whose back button goes to the list at /inbox.
    await page.goto(link);
    await expect(thread(page)).toBeVisible();
    await expect(page.getByTestId('conversation')).toHaveCount(0);
    await expect(page.locator('html')).toHaveAttribute('data-mantine-color-scheme', colorScheme);
    await shot(page, `deep-link-phone-${colorScheme}`);
    await page.getByRole('button', { name: 'Back to conversations' }).click();
    await expect(page).toHaveURL(/\/inbox$/);
    await expect(page.getByTestId('conversation').filter({ hasText: 'Maya Lindqvist' })).toBeVisible();
    await shot(page, `deep-link-phone-list-${colorScheme}`);

    // Opened from the list: the browser's back button returns to the list too.
    await page.getByTestId('conversation').filter({ hasText: 'Maya Lindqvist' }).click();
    await expect(page).toHaveURL(link);
    await expect(thread(page)).toBeVisible();
    await page.goBack();
    await expect(page).toHaveURL(/\/inbox$/);
    await expect(page.getByTestId('conversation').filter({ hasText: 'Maya Lindqvist' })).toBeVisible();
    await context.close();
  }
});

test('signed out, a conversation link asks to sign in first, then opens that conversation', async ({
  browser,
}) => {
  const context = await browser.newContext({ colorScheme: 'dark' });
  const page = await context.newPage();
  await page.goto(link);
  await expect(page).toHaveURL(/\/login\?next=%2Finbox%2F/);
  await shot(page, 'deep-link-sign-in-dark');
  const form = page.getByRole('tabpanel', { name: 'Sign in' });
  await form.getByLabel('Email').fill(owner.email);
  await form.getByRole('textbox', { name: 'Password' }).fill(owner.password);
  await form.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(link);
  await expect(thread(page)).toBeVisible();
  await context.close();
});

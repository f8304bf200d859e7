import { expect, test, type Page } from '@playwright/test';
import { port } from './playwright.config.ts';

// PUBLIC_URL says 127.0.0.1; these specs also browse at localhost, as a newcomer may.
const addresses = { loopback: `http://127.0.0.1:${port}`, localhost: `http://localhost:${port}` };

async function signUp(page: Page, origin: string, email: string) {
  await page.goto(`${origin}/`);
  await page.getByRole('tab', { name: 'Create account' }).click();
  const form = page.getByRole('tabpanel', { name: 'Create account' });
  await form.getByLabel('Your name').fill('Ada Agent');
  await form.getByLabel('Email').fill(email);
  await form.getByRole('textbox', { name: 'Password' }).fill('a long enough password');
  await form.getByLabel('Workspace name').fill('Jacket Shop');
  await form.getByRole('button', { name: 'Create account' }).click();
  await expect(page.getByRole('heading', { name: 'Inbox' })).toBeVisible();
}

test('sign-up and sign-in work at an address other than PUBLIC_URL (CSRF checks the Host)', async ({
  browser,
}) => {
  const email = `host-${Date.now()}@example.test`;
  const atLocalhost = await browser.newPage();
  await signUp(atLocalhost, addresses.localhost, email);
  await atLocalhost.close();

  const atLoopback = await browser.newPage();
  await atLoopback.goto(`${addresses.loopback}/`);
  const form = atLoopback.getByRole('tabpanel', { name: 'Sign in' });
  await form.getByLabel('Email').fill(email);
  await form.getByRole('textbox', { name: 'Password' }).fill('a long enough password');
  await form.getByRole('button', { name: 'Sign in' }).click();
  await expect(atLoopback.getByRole('heading', { name: 'Inbox' })).toBeVisible();
  await atLoopback.close();
});

test('a refused request shows the server’s own explanation', async ({ page }) => {
  await page.goto(`${addresses.loopback}/`);
  // A proxy that rewrites Origin, as a misconfigured one might: the app must say why it failed.
  await page.route('**/trpc/auth.logIn**', async (route) => {
    const headers = { ...route.request().headers(), origin: 'https://elsewhere.example' };
    await route.fulfill({ response: await route.fetch({ headers }) });
  });
  const form = page.getByRole('tabpanel', { name: 'Sign in' });
  await form.getByLabel('Email').fill('someone@example.test');
  await form.getByRole('textbox', { name: 'Password' }).fill('a long enough password');
  await form.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByText(/Request refused: it comes from https:\/\/elsewhere\.example/)).toBeVisible();
  await expect(page.getByText('Unable to transform response from server')).toHaveCount(0);
});

test('Try the sandbox: a customer writes, the agent replies, reaction and read receipts show', async ({
  page,
}) => {
  test.setTimeout(90_000);
  await page.setViewportSize({ width: 1280, height: 860 });
  await signUp(page, addresses.localhost, `sandbox-${Date.now()}@example.test`);

  await page.getByText('Channels', { exact: true }).click();
  await expect(page.getByTestId('try-sandbox')).toBeVisible();
  await page.screenshot({ path: test.info().outputPath('sandbox-empty-channels-desktop.png') });
  await page.getByRole('button', { name: 'Try the sandbox' }).click();
  const card = page.getByTestId('channel').filter({ hasText: 'Sandbox' });
  await expect(card).toBeVisible();
  await expect(card.getByText('sandbox', { exact: true })).toBeVisible();
  await page.screenshot({ path: test.info().outputPath('sandbox-channels-desktop.png'), fullPage: true });

  // The first customer is already writing; opening the conversation sends a read receipt.
  await page.getByText('Inbox', { exact: true }).click();
  await page.getByTestId('conversation').filter({ hasText: 'Maya Lindqvist' }).click();
  await expect(
    page.getByTestId('message').filter({ hasText: 'Hi! Is the blue jacket still in stock?' }),
  ).toBeVisible();
  const customer = page.getByTestId('customer-panel');
  await expect(customer).toBeVisible();
  await expect(customer.getByTestId('customer-read-receipt')).toHaveText(
    'Your messages were read by the business ✓✓',
    { timeout: 15_000 },
  );

  // The customer writes (text, then an image) from the panel.
  await customer.getByLabel('Customer message').fill('Do you have it in M?');
  await customer.getByRole('button', { name: 'Send as customer' }).click();
  await expect(page.getByTestId('message').filter({ hasText: 'Do you have it in M?' })).toBeVisible({
    timeout: 10_000,
  });
  await customer.getByLabel('Message type').click();
  await page.getByRole('option', { name: 'Image' }).click();
  await customer.getByLabel('Customer message').fill('This one');
  await customer.getByRole('button', { name: 'Send as customer' }).click();
  await expect(page.getByTestId('message').filter({ hasText: 'This one' })).toBeVisible({ timeout: 10_000 });

  // The agent replies; the customer's phone shows the ticks move to read, and Parley shows "read".
  await page.getByRole('textbox', { name: 'Reply' }).fill('Yes! Blue, in M and L.');
  await page.getByRole('button', { name: 'Send', exact: true }).click();
  const received = customer.getByTestId('customer-received').filter({ hasText: 'Yes! Blue, in M and L.' });
  await expect(received).toBeVisible({ timeout: 10_000 });
  await expect(received.getByTestId('customer-ticks')).toHaveText('✓✓ read', { timeout: 15_000 });
  const reply = page.getByTestId('message').filter({ hasText: 'Yes! Blue, in M and L.' });
  await expect(reply.getByTestId('message-status')).toHaveAttribute('aria-label', /read/, {
    timeout: 15_000,
  });

  // The customer reacts to the reply; the reaction reaches Parley (webhook log) and stays on the phone.
  await received.getByRole('button', { name: 'React 👍' }).click();
  await expect(received.getByRole('button', { name: 'React 👍' })).toHaveAttribute('data-variant', 'filled', {
    timeout: 10_000,
  });
  await page.screenshot({ path: test.info().outputPath('sandbox-inbox-desktop.png'), fullPage: true });

  // The reaction shows on the agent's bubble too.
  await expect(page.getByTestId('reactions').filter({ hasText: '👍' })).toHaveCount(1, { timeout: 10_000 });

  // The same thread at a phone's width: the customer's side opens in a drawer.
  await page.setViewportSize({ width: 390, height: 844 });
  await page.getByRole('button', { name: 'Write as the customer' }).click();
  await expect(page.getByTestId('customer-panel')).toBeVisible();
  await expect(page.getByTestId('customer-panel')).toContainText('Yes! Blue, in M and L.');
  await page.screenshot({ path: test.info().outputPath('sandbox-inbox-390.png'), fullPage: true });
  await page.keyboard.press('Escape');
  await page.setViewportSize({ width: 1280, height: 860 });

  await page.getByText('Webhook log', { exact: true }).click();
  await expect(page.getByTestId('webhook-event').filter({ hasText: 'reaction' }).first()).toBeVisible({
    timeout: 10_000,
  });
});

import { expect, test, type Page } from '@playwright/test';
import { phone, signUp } from './support.ts';

/** The agent's bubble holding `text`, and its delivery status once it got that far. */
async function expectStatus(page: Page, text: string, status: RegExp) {
  const bubble = page.getByTestId('message').filter({ hasText: text }).last();
  await expect(bubble).toBeVisible({ timeout: 10_000 });
  await expect(bubble.getByTestId('message-status')).toHaveAttribute('aria-label', status, {
    timeout: 15_000,
  });
}

test('the composer sends several types through the sandbox, and their ticks come back', async ({ page }) => {
  test.setTimeout(120_000);
  await page.setViewportSize({ width: 1280, height: 860 });
  await page.goto('/');
  await signUp(page, 'Sam Sender', 'Send Shop');
  await page.getByText('Channels', { exact: true }).click();
  await page.getByRole('button', { name: 'Try the sandbox' }).click();
  await expect(page.getByTestId('channel').filter({ hasText: 'Sandbox' })).toBeVisible();
  await page.getByText('Inbox', { exact: true }).click();
  await page.getByTestId('conversation').filter({ hasText: 'Maya Lindqvist' }).click();
  // The customer's question (the first bubble with its text: replies quoting it show it too).
  const question = page
    .getByTestId('message')
    .filter({ hasText: 'Is the blue jacket still in stock?' })
    .first();
  await expect(question).toBeVisible({ timeout: 20_000 });

  // Text, quoting the customer's question (reply-to), with the quote bar and its cancel button.
  await question.locator('..').getByRole('button', { name: 'Quote this message' }).click();
  await expect(page.getByTestId('quote-bar')).toContainText('Is the blue jacket still in stock?');
  await page.getByRole('textbox', { name: 'Reply' }).fill('Yes, in M and L.');
  await page.getByRole('button', { name: 'Send', exact: true }).click();
  await expectStatus(page, 'Yes, in M and L.', /delivered|read/);
  await expect(page.getByTestId('quote-bar')).toHaveCount(0);

  // Reply buttons from the "+" menu.
  await page.getByRole('button', { name: 'More message types' }).click();
  await page.getByRole('menuitem', { name: 'Reply buttons' }).click();
  const buttons = page.getByRole('dialog', { name: 'Reply buttons' });
  await buttons.getByLabel('Message').fill('Which size should we hold for you?');
  await buttons.getByLabel('Button 1', { exact: true }).fill('Size M');
  await buttons.getByLabel('Button 2', { exact: true }).fill('Size L');
  await page.screenshot({ path: test.info().outputPath('send-buttons-form-desktop.png') });
  await buttons.getByRole('button', { name: 'Send buttons' }).click();
  await expect(buttons).toHaveCount(0);
  await expectStatus(page, 'Which size should we hold for you?', /delivered|read/);

  // A location.
  await page.getByRole('button', { name: 'More message types' }).click();
  await page.getByRole('menuitem', { name: 'Location' }).click();
  const location = page.getByRole('dialog', { name: 'Location' });
  await location.getByLabel('Place name').fill('Parley Store');
  await location.getByLabel('Latitude').fill('55.605');
  await location.getByLabel('Longitude').fill('13.0038');
  await location.getByRole('button', { name: 'Send location' }).click();
  await expectStatus(page, '📍 Parley Store', /delivered|read/);

  // A reaction on the customer's message, then mark read with the typing indicator.
  await question.locator('..').getByRole('button', { name: 'React to this message' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'React 🙏' }).click();
  // It shows on the customer's message, as WhatsApp shows it, not as a bubble of its own.
  const ownReaction = question.locator('..').getByTestId('own-reaction');
  await expect(ownReaction).toHaveAttribute('aria-label', 'Your reaction 🙏', { timeout: 15_000 });
  await expect(page.getByTestId('message').filter({ hasText: 'Reacted 🙏' })).toHaveCount(0);
  await page.screenshot({ path: test.info().outputPath('send-own-reaction-desktop.png') });
  // Taken back: the chip goes.
  await question.locator('..').getByRole('button', { name: 'React to this message' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Remove reaction' }).click();
  await expect(ownReaction).toHaveCount(0, { timeout: 15_000 });
  await question.locator('..').getByRole('button', { name: 'React to this message' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'React 🙏' }).click();
  await expect(ownReaction).toHaveAttribute('aria-label', 'Your reaction 🙏', { timeout: 15_000 });
  await page.getByRole('textbox', { name: 'Reply' }).fill('One moment…');
  await page.getByRole('button', { name: /Mark read · typing/ }).click();
  // The customer's phone shows their messages read and the business typing.
  const customerPhone = page.getByTestId('customer-panel');
  await expect(customerPhone.getByTestId('customer-sees-typing')).toBeVisible({ timeout: 15_000 });
  await expect(customerPhone.getByTestId('customer-read-receipt')).toHaveText(/read by the business/);
  await page.screenshot({ path: test.info().outputPath('send-thread-desktop.png'), fullPage: true });

  // The same thread at a phone's width.
  await page.setViewportSize(phone);
  await expect(page.getByTestId('composer')).toBeVisible();
  await page.screenshot({ path: test.info().outputPath('send-thread-390.png'), fullPage: true });
  await page.getByRole('button', { name: 'More message types' }).click();
  await page.getByRole('menuitem', { name: 'List' }).click();
  const list = page.getByRole('dialog', { name: 'List' });
  await list.getByLabel('Message').fill('Pick a pickup time');
  await list.getByLabel('Row 1', { exact: true }).fill('Morning');
  await page.screenshot({ path: test.info().outputPath('send-list-form-390.png') });
  await list.getByRole('button', { name: 'Send list' }).click();
  await expectStatus(page, 'Pick a pickup time', /delivered|read/);
});

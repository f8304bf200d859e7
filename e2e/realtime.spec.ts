import { expect, test, type Page } from '@playwright/test';
import { goTo, inviteAgent, newMember, phone, signUp, startSandbox } from './support.ts';

/**
 * The realtime bus in the browser: two members of one workspace see each other's work without
 * reloading (the inbox no longer polls while the subscription is up), and a third workspace sees none
 * of it.
 */
/** Live means now: well under the 15 s fallback poll the inbox keeps for when the subscription is down. */
const live = { timeout: 4_000 };

test('two members see a customer message and a reply live; another workspace sees nothing', async ({
  browser,
}) => {
  test.setTimeout(120_000);
  const ada = await newMember(browser);
  await signUp(ada, 'Ada Owner', 'Live Jacket Shop');
  await startSandbox(ada);
  const inviteLink = await inviteAgent(ada, 'live-agent');

  const bo = await newMember(browser, inviteLink);
  await signUp(bo, 'Bo Agent');
  const other = await newMember(browser);
  await signUp(other, 'Olga Elsewhere', 'Other Shop');
  await startSandbox(other);

  // Bo has the inbox open, but not the conversation: its unread count shows in the tab title.
  const maya = (page: Page) => page.getByTestId('conversation').filter({ hasText: 'Maya Lindqvist' });
  await expect(maya(bo)).toBeVisible();
  await expect(bo).toHaveTitle(/^\(\d+\) Inbox · Parley$/);

  // Ada opens Maya's conversation and writes as the customer from the sandbox panel.
  await goTo(ada, 'Inbox');
  await maya(ada).click();
  const customer = ada.getByTestId('customer-panel');
  await customer.getByLabel('Customer message').fill('Is the red one back in stock?');
  await customer.getByRole('button', { name: 'Send as customer' }).click();

  // Bo's list moves without a reload; opening it shows the message, then it arrives live in the thread.
  await expect(maya(bo)).toContainText('Is the red one back in stock?', live);
  await maya(bo).click();
  await expect(bo.getByTestId('message').filter({ hasText: 'Is the red one back in stock?' })).toBeVisible();
  await customer.getByLabel('Customer message').fill('Size M, please.');
  await customer.getByRole('button', { name: 'Send as customer' }).click();
  await expect(bo.getByTestId('message').filter({ hasText: 'Size M, please.' })).toBeVisible(live);

  // Bo replies; Ada sees the reply appear in her open thread, and its status move.
  await bo.getByRole('textbox', { name: 'Reply' }).fill('Yes, red in M arrives Friday.');
  await bo.getByRole('button', { name: 'Send', exact: true }).click();
  const reply = ada.getByTestId('message').filter({ hasText: 'Yes, red in M arrives Friday.' });
  await expect(reply).toBeVisible(live);
  await expect(reply.getByTestId('message-status')).toHaveAttribute('aria-label', /sent|delivered|read/, {
    timeout: 10_000,
  });

  await ada.screenshot({ path: test.info().outputPath('realtime-ada-desktop.png') });
  await bo.screenshot({ path: test.info().outputPath('realtime-bo-desktop.png') });

  // The other workspace's member saw none of it.
  await maya(other).click();
  await expect(other.getByTestId('message').first()).toBeVisible();
  await other.waitForTimeout(1_000);
  for (const text of ['Is the red one back in stock?', 'Size M, please.', 'Yes, red in M arrives Friday.']) {
    await expect(other.getByText(text)).toHaveCount(0);
  }
  await other.screenshot({ path: test.info().outputPath('realtime-other-workspace.png') });

  // At a phone's width, a message arriving while Bo reads older ones shows a marker instead of a jump.
  await bo.setViewportSize(phone);
  for (const n of [1, 2, 3, 4, 5, 6]) {
    await customer.getByLabel('Customer message').fill(`Question ${n} of 6`);
    await customer.getByRole('button', { name: 'Send as customer' }).click();
    await expect(bo.getByTestId('message').filter({ hasText: `Question ${n} of 6` })).toBeVisible(live);
  }
  await bo
    .getByTestId('thread')
    .locator('[data-radix-scroll-area-viewport], .mantine-ScrollArea-viewport')
    .first()
    .evaluate((element) => element.scrollTo({ top: 0 }));
  await customer.getByLabel('Customer message').fill('Also, do you ship to Oslo?');
  await customer.getByRole('button', { name: 'Send as customer' }).click();
  await expect(bo.getByTestId('new-messages')).toBeVisible(live);
  await bo.screenshot({ path: test.info().outputPath('realtime-bo-390.png') });
  await bo.getByTestId('new-messages').click();
  await expect(bo.getByTestId('message').filter({ hasText: 'Also, do you ship to Oslo?' })).toBeInViewport();
});

import { expect, test, type Page } from '@playwright/test';
import { goTo, inviteAgent, newMember, phone, signUp } from './support.ts';

/**
 * The live shared inbox between two members of one workspace (Ada and Bo) and a member of another
 * (Cy): assignment and status changes, a customer's message, who is viewing and typing, a contact's
 * new name — each seen live by the teammate, none of it by the other workspace.
 */
const live = { timeout: 5_000 };

const maya = (page: Page) => page.getByTestId('conversation').filter({ hasText: 'Maya' });

test('two teammates see each other live; another workspace sees nothing', async ({ browser }) => {
  test.setTimeout(180_000);
  const ada = await newMember(browser);
  await signUp(ada, 'Ada Owner', 'Live Inbox Shop');
  await goTo(ada, 'Channels');
  await ada.getByRole('button', { name: 'Try the sandbox' }).click();
  await expect(ada.getByTestId('channel').filter({ hasText: 'Sandbox' })).toBeVisible();
  const bo = await newMember(browser, await inviteAgent(ada, 'agent'));
  await signUp(bo, 'Bo Agent');
  const cy = await newMember(browser);
  await signUp(cy, 'Cy Outsider', 'Other Shop');
  await expect(cy.getByText(/No conversations/)).toBeVisible();

  for (const page of [ada, bo]) {
    await goTo(page, 'Inbox');
    await maya(page).click();
    await expect(page.getByTestId('status')).toHaveText('Open');
  }

  // Each sees the other viewing the conversation.
  await expect(ada.getByTestId('presence')).toContainText('Bo Agent is viewing', live);
  await expect(bo.getByTestId('presence')).toContainText('Ada Owner is viewing', live);

  // Ada assigns it to Bo (the picker shows who is online) and marks it pending: Bo sees both live.
  await ada.getByTestId('assignee').click();
  const boItem = ada.getByRole('menuitem', { name: /Bo Agent/ });
  await expect(boItem.getByRole('img', { name: 'Online' })).toBeVisible();
  await ada.screenshot({ path: test.info().outputPath('live-ada-picker-desktop.png') });
  await boItem.click();
  await expect(bo.getByTestId('assignee')).toHaveText('Bo Agent', live);
  await ada.getByTestId('status').click();
  await ada.getByRole('menuitem', { name: 'Mark pending' }).click();
  await expect(bo.getByTestId('status')).toHaveText('Pending', live);

  // Bo types a reply: Ada sees it; Bo stops, and it ends.
  await bo.getByRole('textbox', { name: 'Reply' }).pressSequentially('Checking with the cour');
  await expect(ada.getByTestId('presence')).toContainText('Bo Agent is typing…', live);
  await ada.screenshot({ path: test.info().outputPath('live-ada-typing-desktop.png') });
  await expect(ada.getByTestId('presence')).toContainText('Bo Agent is viewing', { timeout: 12_000 });

  // The customer writes (the simulator as Meta): the message appears in both threads.
  const customer = ada.getByTestId('customer-panel');
  await customer.getByLabel('Customer message').fill('Is the blue jacket back in stock?');
  await customer.getByRole('button', { name: 'Send as customer' }).click();
  for (const page of [ada, bo]) {
    await expect(page.getByTestId('thread').getByText('Is the blue jacket back in stock?')).toBeVisible(live);
  }

  // Ada names the contact in the contact panel (collapsed on a 1280 px screen: she opens it): Bo's
  // list and thread follow.
  await ada.getByRole('button', { name: 'Show contact details' }).click();
  const panel = ada.getByTestId('contact-panel');
  await expect(panel.getByTestId('contact-phone')).toHaveText(/^\+\d[\d ]+$/);
  await panel.getByRole('button', { name: 'Rename contact' }).click();
  await panel.getByRole('textbox', { name: 'Name' }).fill('Maya (VIP)');
  await panel.getByRole('button', { name: 'Save' }).click();
  await expect(panel.getByTestId('contact-name')).toHaveText('Maya (VIP)');
  await expect(bo.getByText('Maya (VIP)', { exact: true }).first()).toBeVisible(live);
  await ada.setViewportSize({ width: 1600, height: 900 });
  await ada.screenshot({ path: test.info().outputPath('live-ada-desktop.png') });
  await bo.screenshot({ path: test.info().outputPath('live-bo-desktop.png') });

  // Keyboard: "?" lists the shortcuts; "e" resolves, and Bo sees it.
  await ada.getByTestId('thread').click();
  await ada.keyboard.press('Shift+?');
  await expect(ada.getByRole('dialog', { name: 'Keyboard shortcuts' })).toBeVisible();
  await ada.keyboard.press('Escape');
  await expect(ada.getByRole('dialog', { name: 'Keyboard shortcuts' })).toHaveCount(0);
  await ada.keyboard.press('e');
  await expect(bo.getByTestId('status')).toHaveText('Resolved', live);

  // Bo on a phone: the thread (Ada viewing), then the contact panel as its own screen, and back.
  await bo.setViewportSize(phone);
  await expect(bo.getByTestId('presence')).toContainText('Ada Owner is viewing');
  await bo.screenshot({ path: test.info().outputPath('live-bo-390-thread.png') });
  await bo.getByRole('button', { name: 'Contact details' }).click();
  await expect(bo.getByTestId('contact-panel').getByTestId('contact-name')).toHaveText('Maya (VIP)');
  await bo.screenshot({ path: test.info().outputPath('live-bo-390-contact.png') });
  await bo.getByRole('button', { name: 'Back to the conversation' }).click();
  await expect(bo.getByTestId('thread')).toBeVisible();
  await bo.getByRole('button', { name: 'Back to conversations' }).click();
  await expect(bo.getByRole('heading', { name: 'Inbox' })).toBeVisible();
  await bo.screenshot({ path: test.info().outputPath('live-bo-390-list.png') });

  // Cy, in another workspace, saw none of it: no conversation, no teammate, no unread count.
  await expect(cy.getByText(/No conversations/)).toBeVisible();
  await expect(cy.getByTestId('conversation')).toHaveCount(0);
  await expect(cy.getByTestId('presence')).toHaveCount(0);
  expect(await cy.title()).not.toMatch(/^\(\d+\)/);
  await cy.screenshot({ path: test.info().outputPath('live-cy-desktop.png') });
});

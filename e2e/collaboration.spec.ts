import { expect, test, type Page } from '@playwright/test';
import { goTo, inviteAgent, newMember, phone, signUp, startSandbox } from './support.ts';

/**
 * Collaboration between two members of one workspace: Ada writes an internal note mentioning Bo; Bo
 * sees the note in the thread and the notification on the bell live, without reloading. Then "/" in
 * the reply box inserts a canned response with the customer's name filled in.
 */
const live = { timeout: 4_000 };

test('a note mentioning a teammate reaches them live; "/" inserts a canned response', async ({ browser }) => {
  test.setTimeout(120_000);
  const ada = await newMember(browser);
  await signUp(ada, 'Ada Owner', 'Collab Jacket Shop');
  await startSandbox(ada);
  const inviteLink = await inviteAgent(ada, 'collab-agent');
  const bo = await newMember(browser, inviteLink);
  await signUp(bo, 'Bo Agent');

  // Ada adds a canned response in the settings.
  await goTo(ada, 'Settings');
  await ada
    .getByRole('navigation', { name: 'Settings' })
    .getByRole('link', { name: 'Canned responses' })
    .click();
  await expect(ada.getByRole('heading', { name: 'Canned responses' })).toBeVisible();
  await ada.getByLabel('Shortcut').fill('thanks');
  await ada.getByRole('textbox', { name: 'Text' }).fill('Thank you {{contact.name}}, we are on it.');
  await expect(ada.getByTestId('canned-preview')).toHaveText('Preview: Thank you Maya, we are on it.');
  await ada.getByRole('button', { name: 'Add canned response' }).click();
  await expect(ada.getByTestId('canned-thanks')).toBeVisible();
  await ada.screenshot({ path: test.info().outputPath('collab-settings-desktop.png') });

  const maya = (page: Page) => page.getByTestId('conversation').filter({ hasText: 'Maya Lindqvist' });
  for (const page of [ada, bo]) {
    await goTo(page, 'Inbox');
    await maya(page).click();
    await expect(page.getByTestId('status')).toHaveText('Open');
  }
  await expect(bo.getByRole('button', { name: 'Notifications', exact: true })).toBeVisible();

  // Ada writes a note, picking Bo from the "@" suggestions with the keyboard.
  await ada.getByText('Note', { exact: true }).click();
  const note = ada.getByRole('textbox', { name: 'Internal note' });
  await note.pressSequentially('@Bo');
  const mentions = ada.getByRole('listbox', { name: 'Mention a teammate' });
  await expect(mentions.getByRole('option', { name: 'Bo Agent' })).toBeVisible();
  await note.press('Enter');
  await expect(note).toHaveValue('@Bo Agent ');
  await note.pressSequentially('can you call the courier?');
  await note.press('Enter');
  await expect(ada.getByTestId('note')).toContainText('@Bo Agent can you call the courier?');

  // Bo sees the note in the thread and the notification on the bell, live.
  await expect(bo.getByTestId('note')).toContainText('@Bo Agent can you call the courier?', live);
  await expect(bo.getByTestId('note').getByTestId('mention')).toHaveText('@Bo Agent');
  const bell = bo.getByRole('button', { name: 'Notifications, 1 unread' });
  await expect(bell).toBeVisible(live);
  // Ada was not notified (only the mentioned member is).
  await expect(ada.getByRole('button', { name: 'Notifications', exact: true })).toBeVisible();
  await bell.click();
  await expect(bo.getByTestId('notification')).toContainText('Ada Owner mentioned you · Maya Lindqvist');
  await bo.screenshot({ path: test.info().outputPath('collab-bo-desktop.png') });

  // Bo on a phone: the thread with the note, and the bell.
  await bo.setViewportSize(phone);
  await bo.screenshot({ path: test.info().outputPath('collab-bo-390-bell.png') });
  await bo.getByTestId('notification').click();
  await expect(bo.getByTestId('notifications')).toHaveCount(0);
  await bo.screenshot({ path: test.info().outputPath('collab-bo-390.png') });
  await expect(bo.getByRole('button', { name: 'Notifications', exact: true })).toBeVisible(live);

  // "/" in Ada's reply box: the canned response, filled in for Maya, picked with arrows and Enter.
  await ada.getByText('Reply', { exact: true }).click();
  const reply = ada.getByRole('textbox', { name: 'Reply' });
  await reply.pressSequentially('/tha');
  const canned = ada.getByRole('listbox', { name: 'Canned responses' });
  await expect(canned.getByRole('option', { name: /\/thanks/ })).toBeVisible();
  await ada.screenshot({ path: test.info().outputPath('collab-ada-canned-desktop.png') });
  await reply.press('ArrowDown');
  await reply.press('Enter');
  await expect(reply).toHaveValue('Thank you Maya Lindqvist, we are on it.');
  await expect(canned).toHaveCount(0);
  // Escape closes the menu and leaves what was typed.
  await reply.fill('');
  await reply.pressSequentially('/th');
  await expect(canned).toBeVisible();
  await reply.press('Escape');
  await expect(canned).toHaveCount(0);
  await expect(reply).toHaveValue('/th');

  // Bo makes himself available (account menu); Ada sees it live in the auto-assignment settings and
  // turns round robin on for the sandbox number.
  await bo.getByRole('button', { name: 'Account menu (away)' }).click();
  // (A controlled switch: it turns on once the server has answered.)
  await bo.getByLabel('Available for new conversations').click({ force: true });
  await expect(bo.getByLabel('Available for new conversations')).toBeChecked();
  await expect(bo.getByRole('button', { name: 'Account menu (available)' })).toBeVisible();
  await bo.screenshot({ path: test.info().outputPath('collab-bo-390-available.png') });
  await bo.keyboard.press('Escape');
  await goTo(ada, 'Settings');
  await ada
    .getByRole('navigation', { name: 'Settings' })
    .getByRole('link', { name: 'Auto-assignment' })
    .click();
  await expect(ada.getByTestId('available-members')).toHaveText('Available now: Bo Agent', live);
  const roundRobin = ada.getByLabel(/^Round robin on \+/);
  await roundRobin.click({ force: true });
  await expect(roundRobin).toBeChecked(live);
  await expect(ada.getByText('On', { exact: true })).toBeVisible();
  await ada.screenshot({ path: test.info().outputPath('collab-auto-assignment-desktop.png') });
  await ada.setViewportSize(phone);
  await ada.screenshot({ path: test.info().outputPath('collab-auto-assignment-390.png') });

  await goTo(ada, 'Inbox');
  await maya(ada).click();
  await ada.emulateMedia({ colorScheme: 'dark' });
  await ada.getByText('Note', { exact: true }).click();
  await ada.getByRole('textbox', { name: 'Internal note' }).pressSequentially('@');
  await expect(ada.getByRole('listbox', { name: 'Mention a teammate' })).toBeVisible();
  await ada.screenshot({ path: test.info().outputPath('collab-ada-390-dark.png') });
});

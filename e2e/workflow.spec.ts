import { expect, test, type Page } from '@playwright/test';
import { goTo, inviteAgent, newMember, phone, signUp, startSandbox } from './support.ts';

/**
 * The conversation workflow between two members of one workspace: one assigns and resolves, the
 * other sees each change live in the thread header, without reloading.
 */
const live = { timeout: 4_000 };

test('one agent assigns and resolves; a teammate sees each change live', async ({ browser }) => {
  test.setTimeout(120_000);
  const ada = await newMember(browser);
  await signUp(ada, 'Ada Owner', 'Workflow Jacket Shop');
  await startSandbox(ada);
  const inviteLink = await inviteAgent(ada, 'workflow-agent');
  const bo = await newMember(browser, inviteLink);
  await signUp(bo, 'Bo Agent');

  const maya = (page: Page) => page.getByTestId('conversation').filter({ hasText: 'Maya Lindqvist' });
  for (const page of [ada, bo]) {
    await goTo(page, 'Inbox');
    await maya(page).click();
    await expect(page.getByTestId('status')).toHaveText('Open');
    await expect(page.getByTestId('assignee')).toHaveText('Unassigned');
  }

  // Bo takes the conversation: Ada's header shows it at once.
  await bo.getByTestId('assignee').click();
  await bo.getByRole('menuitem', { name: 'Assign to me' }).click();
  await expect(bo.getByTestId('assignee')).toHaveText('Bo Agent', live);
  await expect(ada.getByTestId('assignee')).toHaveText('Bo Agent', live);

  // Ada resolves it: Bo sees it resolved.
  await ada.getByTestId('status').click();
  await ada.getByRole('menuitem', { name: 'Resolve' }).click();
  await expect(bo.getByTestId('status')).toHaveText('Resolved', live);
  await ada.screenshot({ path: test.info().outputPath('workflow-ada-desktop.png') });

  // Bo snoozes it for an hour from a phone: Ada sees the snooze.
  await bo.setViewportSize(phone);
  await bo.getByTestId('status').click();
  await bo.getByRole('menuitem', { name: 'For an hour' }).click();
  await expect(ada.getByTestId('status')).toHaveText(/^Snoozed until /, live);
  await expect(bo.getByTestId('status')).toHaveText(/^Snoozed until /, live);
  await bo.screenshot({ path: test.info().outputPath('workflow-bo-390.png') });

  // The customer writes: the conversation reopens for both.
  const customer = ada.getByTestId('customer-panel');
  await customer.getByLabel('Customer message').fill('Any news on my order?');
  await customer.getByRole('button', { name: 'Send as customer' }).click();
  await expect(ada.getByTestId('status')).toHaveText('Open', live);
  await expect(bo.getByTestId('status')).toHaveText('Open', live);
  await bo.screenshot({ path: test.info().outputPath('workflow-bo-390-reopened.png') });
});

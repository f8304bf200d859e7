import { expect, test, type Page } from '@playwright/test';
import { goTo, inviteAgent, newMember, phone, signUp, startSandbox } from './support.ts';

/**
 * The activity timeline and internal notes between two members of one workspace: Ada writes, edits
 * and deletes a note and Bo sees each change live; assignment, status and label changes made by
 * either appear as lines in the timeline of both threads.
 */
const live = { timeout: 4_000 };
const shot = (page: Page, name: string) => page.screenshot({ path: test.info().outputPath(`${name}.png`) });

test('a note edited and deleted live; assignment, status and label lines in both timelines', async ({
  browser,
}) => {
  test.setTimeout(150_000);
  const ada = await newMember(browser);
  await signUp(ada, 'Ada Owner', 'Timeline Jacket Shop');
  await startSandbox(ada);
  const inviteLink = await inviteAgent(ada, 'timeline-agent');
  const bo = await newMember(browser, inviteLink);
  await signUp(bo, 'Bo Agent');

  // A label to put on the conversation.
  await goTo(ada, 'Settings');
  await expect(ada.getByRole('heading', { name: 'Labels' })).toBeVisible();
  await ada.getByTestId('label-name').fill('VIP');
  await ada.getByRole('radio', { name: 'grape' }).click();
  await ada.getByRole('button', { name: 'Add label' }).click();
  await expect(ada.getByText('VIP', { exact: true })).toBeVisible();

  const maya = (page: Page) => page.getByTestId('conversation').filter({ hasText: 'Maya Lindqvist' });
  for (const page of [ada, bo]) {
    await goTo(page, 'Inbox');
    await maya(page).click();
    await expect(page.getByTestId('status')).toHaveText('Open');
  }

  // Ada writes a note: Bo sees it.
  await ada.getByText('Note', { exact: true }).click();
  const composer = ada.getByRole('textbox', { name: 'Internal note' });
  await composer.fill('Courier lost the parcel');
  await composer.press('Enter');
  const adaNote = ada.getByTestId('note');
  const boNote = bo.getByTestId('note');
  await expect(adaNote).toContainText('Courier lost the parcel');
  await expect(boNote).toContainText('Courier lost the parcel', live);
  await expect(boNote.getByText('Edit', { exact: true })).toHaveCount(0); // not Bo's note

  // Ada edits it: Bo sees the new text, marked edited, live.
  await adaNote.getByText('Edit', { exact: true }).click();
  const editor = ada.getByRole('textbox', { name: 'Edit note' });
  await editor.fill('Courier found the parcel, delivery tomorrow');
  await editor.press('Enter');
  await expect(adaNote).toContainText('Courier found the parcel, delivery tomorrow');
  await expect(boNote).toContainText('Courier found the parcel, delivery tomorrow', live);
  await expect(boNote).toContainText(/edited · /);
  await expect(boNote).not.toContainText('Courier lost the parcel');
  await shot(bo, 'timeline-bo-note-edited-desktop');

  // Bo takes the conversation, Ada labels it VIP and resolves it: each line in both timelines.
  await bo.getByTestId('assignee').click();
  await bo.getByRole('menuitem', { name: 'Assign to me' }).click();
  await ada.getByTestId('label-picker').click();
  await ada.getByRole('menuitem', { name: 'VIP' }).click();
  await ada.keyboard.press('Escape');
  await ada.getByTestId('status').click();
  await ada.getByRole('menuitem', { name: 'Resolve' }).click();
  for (const page of [ada, bo]) {
    const activity = page.getByTestId('activity');
    await expect(activity.filter({ hasText: 'Bo Agent took the conversation' })).toHaveCount(1, live);
    await expect(activity.filter({ hasText: 'Ada Owner added the label' })).toContainText('VIP', live);
    await expect(activity.filter({ hasText: 'Ada Owner resolved the conversation' })).toHaveCount(1, live);
  }
  await shot(ada, 'timeline-ada-desktop');
  await shot(bo, 'timeline-bo-desktop');

  // Ada deletes the note (after confirming): it disappears for Bo too.
  await adaNote.getByText('Delete', { exact: true }).click();
  await adaNote.getByText('Delete', { exact: true }).click();
  await expect(ada.getByTestId('note')).toHaveCount(0);
  await expect(bo.getByTestId('note')).toHaveCount(0, live);
  // The timeline keeps its lines.
  await expect(bo.getByTestId('activity').filter({ hasText: 'resolved the conversation' })).toHaveCount(1);

  // On a phone: each activity line keeps its time on the same line as its words.
  await bo.setViewportSize(phone);
  const line = bo.getByTestId('activity').filter({ hasText: 'Ada Owner added the label' });
  await line.scrollIntoViewIfNeeded();
  await expect(line.getByTestId('activity-time')).toBeVisible();
  const [words, time] = await Promise.all([
    line.getByTestId('activity-words').boundingBox(),
    line.getByTestId('activity-time').boundingBox(),
  ]);
  expect(words && time && Math.abs(words.y + words.height - (time.y + time.height))).toBeLessThan(4);
  await shot(bo, 'timeline-bo-390');
});

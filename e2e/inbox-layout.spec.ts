import { expect, test, type Page } from '@playwright/test';
import { connectSimulator, customerSends, expectNoSidewaysScroll, goTo, phone, signUp } from './support.ts';

/**
 * The inbox's three panes on a 1280 px laptop and a 390 px phone: with the list and the contact panel
 * open, the composer keeps a usable width (the panel opens over the thread below 1440 px), and the
 * thread's activity lines keep their time on the line of their words.
 */
const wabaId = '310000000000009';
const numberId = '420000000000009';
const shot = (page: Page, name: string) => page.screenshot({ path: test.info().outputPath(`${name}.png`) });
const widthOf = async (page: Page, name: string) =>
  (await page.getByRole('textbox', { name, exact: true }).boundingBox())?.width ?? 0;

test('the composer keeps its width beside the list and the contact panel, at 1280 and 390 px', async ({
  page,
  request,
}) => {
  test.setTimeout(150_000);
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto('/');
  await signUp(page, 'Lea Layout', 'Layout Jacket Shop');
  await connectSimulator(page, request, wabaId);
  for (const [from, name, text] of [
    ['15550190001', 'Maya Lindqvist', 'Is the blue jacket back in stock, in M or L?'],
    ['15550190002', 'Jonas Berg', 'Where is my parcel?'],
  ] as const) {
    await customerSends(request, numberId, from, { type: 'text', text: { body: text } }, name);
  }
  await goTo(page, 'Inbox');
  await page.getByTestId('conversation').filter({ hasText: 'Maya Lindqvist' }).click();
  await expect(
    page.getByTestId('message').getByText('Is the blue jacket back in stock, in M or L?'),
  ).toBeVisible({
    timeout: 15_000,
  });
  // Activity lines to look at: Lea takes the conversation and resolves it.
  await page.getByTestId('assignee').click();
  await page.getByRole('menuitem', { name: 'Assign to me' }).click();
  await page.getByTestId('status').click();
  await page.getByRole('menuitem', { name: 'Resolve' }).click();
  await expect(page.getByTestId('activity')).toHaveCount(2);
  await page.getByTestId('status').click();
  await page.getByRole('menuitem', { name: 'Reopen' }).click();
  await expect(page.getByTestId('activity')).toHaveCount(3);

  await shot(page, 'layout-1280');
  const before = await widthOf(page, 'Reply');
  expect(before).toBeGreaterThan(300);
  // The contact panel opens over the thread: the composer keeps its width.
  await page.getByRole('button', { name: 'Show contact details' }).click();
  const panel = page.getByTestId('contact-panel');
  await expect(panel.getByTestId('contact-name')).toBeVisible();
  expect(await widthOf(page, 'Reply')).toBe(before);
  await expectNoSidewaysScroll(page);
  await shot(page, 'layout-1280-contact-open');
  await panel.getByRole('button', { name: 'Hide contact details' }).click();
  await expect(panel).toHaveCount(0);

  // Wide enough (1600 px): the panel is a column beside the thread, and the composer still has room.
  await page.setViewportSize({ width: 1600, height: 900 });
  await expect(page.getByTestId('contact-panel')).toBeVisible();
  expect(await widthOf(page, 'Reply')).toBeGreaterThan(300);
  await shot(page, 'layout-1600-contact-column');
  await page.getByTestId('contact-panel').getByRole('button', { name: 'Hide contact details' }).click();
  await expect(page.getByTestId('contact-panel')).toHaveCount(0);

  // Every activity line keeps its time beside its words (never alone on a line behind a "·").
  for (const width of [1280, phone.width]) {
    await page.setViewportSize(width === phone.width ? phone : { width, height: 800 });
    for (const line of await page.getByTestId('activity').all()) {
      const words = await line.getByTestId('activity-words').boundingBox();
      const time = await line.getByTestId('activity-time').boundingBox();
      expect(words && time && Math.abs(words.y + words.height - (time.y + time.height))).toBeLessThan(4);
    }
  }
  await expectNoSidewaysScroll(page);
  await shot(page, 'layout-390-thread');
  expect(await widthOf(page, 'Reply')).toBeGreaterThan(250);
});

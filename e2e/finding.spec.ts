import { expect, test, type Page } from '@playwright/test';
import { goTo, phone, signUp } from './support.ts';

/**
 * Finding things in the inbox: status tabs with counts, labelling a conversation, filtering by the
 * label (kept in the address), and search by a word of a message and by part of a phone number.
 */
async function procedure(page: Page, path: string, input: unknown, type: 'query' | 'mutation' = 'mutation') {
  const origin = new URL(page.url()).origin;
  const response =
    type === 'query'
      ? await page.request.get(
          `/trpc/${path}${input === undefined ? '' : `?input=${encodeURIComponent(JSON.stringify(input))}`}`,
        )
      : await page.request.post(`/trpc/${path}`, { data: input, headers: { origin } });
  expect(response.ok(), await response.text()).toBe(true);
  return ((await response.json()) as { result: { data: unknown } }).result.data;
}

const shot = (page: Page, name: string) => page.screenshot({ path: test.info().outputPath(`${name}.png`) });

test('tabs with counts, a label, a labelled view by link, and search by word and by partial number', async ({
  page,
}) => {
  test.setTimeout(120_000);
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto('/');
  await signUp(page, 'Fia Finder', 'Finding Jacket Shop');
  await goTo(page, 'Channels');
  await page.getByRole('button', { name: 'Try the sandbox' }).click();
  await expect(page.getByTestId('channel').filter({ hasText: 'Sandbox' })).toBeVisible();
  const [channel] = (await procedure(page, 'channel.list', undefined, 'query')) as { id: string }[];
  const write = (waId: string, name: string, body: string) =>
    procedure(page, 'channel.sandboxCustomerSends', {
      channelId: channel?.id,
      customer: { waId, name },
      message: { type: 'text', text: body },
    });
  await write('4915700001111', 'Jonas Berg', 'Quero devolver os pedidos de ontem');
  await write('15551234567', 'Li Wei', 'Do you have the red scarf?');

  // An admin makes a label in Settings.
  await goTo(page, 'Settings');
  await expect(page.getByRole('heading', { name: 'Labels' })).toBeVisible();
  await page.getByTestId('label-name').fill('VIP');
  await page.getByRole('radio', { name: 'grape' }).click();
  await page.getByRole('button', { name: 'Add label' }).click();
  await expect(page.getByText('VIP', { exact: true })).toBeVisible();
  await shot(page, 'labels-desktop');

  // Three open conversations; resolving one moves it to the Resolved tab, and the counts follow.
  await goTo(page, 'Inbox');
  const conversation = (name: string) => page.getByTestId('conversation').filter({ hasText: name });
  for (const name of ['Maya Lindqvist', 'Jonas Berg', 'Li Wei'])
    await expect(conversation(name)).toBeVisible();
  await expect(page.getByTestId('count-open')).toHaveText(/^3/);
  await conversation('Jonas Berg').click();
  await page.getByTestId('status').click();
  await page.getByRole('menuitem', { name: 'Resolve' }).click();
  await expect(page.getByTestId('status')).toHaveText('Resolved');
  await expect(conversation('Jonas Berg')).toHaveCount(0);
  await expect(page.getByTestId('count-open')).toHaveText(/^2/);
  await expect(page.getByTestId('count-resolved')).toHaveText(/^1/);
  await page.getByTestId('tab-resolved').click();
  await expect(page).toHaveURL(/status=resolved/);
  await expect(conversation('Jonas Berg')).toBeVisible();
  await expect(conversation('Li Wei')).toHaveCount(0);
  await page.getByTestId('tab-all').click();
  await expect(page.getByTestId('conversation')).toHaveCount(3);

  // Label Li Wei's conversation VIP from the thread header.
  await conversation('Li Wei').click();
  await page.getByTestId('label-picker').click();
  await page.getByRole('menuitem', { name: 'VIP' }).click();
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('label-chip')).toHaveText('VIP');
  await expect(conversation('Li Wei').getByText('VIP')).toBeVisible();

  // Filter by the label: the view is a link that opens the same way.
  await page.getByRole('button', { name: /^Filters/ }).click();
  await page.getByRole('combobox', { name: 'Label' }).click();
  await page.getByRole('option', { name: 'VIP' }).click();
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('conversation')).toHaveCount(1);
  await expect(conversation('Li Wei')).toBeVisible();
  const labelled = page.url();
  expect(labelled).toMatch(/label=[0-9a-f-]{36}/);
  await shot(page, 'filters-label-desktop');
  await page.goto(labelled);
  await expect(page.getByTestId('conversation')).toHaveCount(1);
  await expect(page.getByRole('button', { name: 'Filters · 1' })).toBeVisible();

  // Search: a word of a message finds it (with its text), a click opens that conversation.
  await page.goto('/inbox');
  await page.getByTestId('search').fill('pedidos');
  const hit = page.getByTestId('search-hit').filter({ hasText: 'Jonas Berg' });
  await expect(hit).toContainText('Quero devolver os pedidos de ontem');
  await expect(page).toHaveURL(/q=pedidos/);
  await shot(page, 'search-word-desktop');
  await hit.click();
  await expect(page.getByTestId('message').filter({ hasText: 'Quero devolver os pedidos' })).toBeVisible();

  // …and part of a phone number finds the contact, however it is typed.
  await page.getByTestId('search').fill('5512');
  await expect(page.getByTestId('search-hit')).toHaveCount(1);
  await expect(page.getByTestId('search-hit')).toContainText('Li Wei');
  await page.getByTestId('search').fill('+1 555 1234');
  await expect(page.getByTestId('search-hit').filter({ hasText: 'Li Wei' })).toBeVisible();
  await expect(page.getByTestId('search-hit')).toContainText('+15551234567');

  // On a phone: the tabs, filters and search fit the screen.
  await page.setViewportSize(phone);
  await page.goto('/inbox?status=all');
  await expect(page.getByTestId('conversation')).toHaveCount(3);
  await shot(page, 'filters-390');
  await page.getByTestId('search').fill('scarf');
  await expect(page.getByTestId('search-hit').filter({ hasText: 'Li Wei' })).toBeVisible();
  await shot(page, 'search-390');
  await page.goto('/settings/labels');
  await expect(page.getByText('VIP', { exact: true })).toBeVisible();
  await shot(page, 'labels-390');
  const { scrollWidth, innerWidth } = await page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: window.innerWidth,
  }));
  expect(scrollWidth).toBeLessThanOrEqual(innerWidth);
});

import { expect, test, type Page } from '@playwright/test';
import { connectSimulator, customerSends, goTo, signUp } from './support.ts';

// The sixth simulated WABA: a workspace of this spec's own (a WABA belongs to one workspace).
const wabaId = '310000000000006';
const numberId = '420000000000006';

/**
 * Markup where people type (issue 22, attacks): message text, a contact's name (conversation list and
 * thread), a template body, a file name and an internal note, each carrying script. The app shows
 * every one as the literal text it is, and no script runs: no dialog opens and the page's flag stays
 * unset. (No contacts page on main yet: names are checked where the inbox shows them.)
 */
const payload = (where: string) =>
  `<img src=x onerror="window.xssRan='${where}';alert('${where}')"><script>window.xssRan='${where}'</script>${where}`;

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

const shot = (page: Page, name: string) =>
  page.screenshot({ path: test.info().outputPath(`${name}.png`), fullPage: true });

test('script in messages, names, templates, file names and notes shows as text and never runs', async ({
  page,
  request,
}) => {
  test.setTimeout(120_000);
  const dialogs: string[] = [];
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  const ran = () => page.evaluate(() => (window as unknown as { xssRan?: string }).xssRan ?? null);

  await page.setViewportSize({ width: 1280, height: 860 });
  await page.goto('/signup');
  await signUp(page, 'Xena Escape', 'Escape Shop');
  await connectSimulator(page, request, wabaId);

  // A customer named in markup writes markup.
  await customerSends(
    request,
    numberId,
    '15550166666',
    { type: 'text', text: { body: payload('message') } },
    payload('name'),
  );
  await goTo(page, 'Inbox');
  const conversation = page.getByTestId('conversation').filter({ hasText: 'name' });
  await expect(conversation).toBeVisible({ timeout: 20_000 });
  await expect(conversation).toContainText(payload('name'));
  await conversation.click();
  await expect(page.getByTestId('message').filter({ hasText: payload('message') })).toBeVisible();

  // The agent attaches a file whose name is markup, and writes a note in markup.
  await page.getByTestId('attach-input').setInputFiles({
    name: `${payload('file')}.pdf`,
    mimeType: 'application/pdf',
    buffer: Buffer.from('%PDF-1.4\n%%EOF\n'),
  });
  await expect(page.getByTestId('attachment')).toContainText(payload('file'), { timeout: 15_000 });
  await expect(page.getByTestId('attachment')).toHaveAttribute('data-state', 'ready', { timeout: 15_000 });
  await page.getByRole('button', { name: 'Send', exact: true }).click();
  // Parley keeps only safe characters of a file name it sends (Meta shows it to the customer).
  await expect(page.getByTestId('message').filter({ hasText: 'scriptfile.pdf' })).toBeVisible({
    timeout: 15_000,
  });
  const conversationId = new URL(page.url()).pathname.split('/').pop();
  await procedure(page, 'note.create', { conversationId, body: payload('note') });
  await page.reload();
  await expect(page.getByText(payload('note')).first()).toBeVisible({ timeout: 15_000 });
  await shot(page, 'xss-thread');

  // A template whose body is markup, listed and previewed.
  const [channel] = (await procedure(page, 'channel.list', undefined, 'query')) as { id: string }[];
  await procedure(page, 'template.create', {
    channelId: channel?.id,
    name: 'markup_body',
    language: 'en_US',
    category: 'UTILITY',
    body: payload('template'),
  });
  await goTo(page, 'Templates');
  const row = page.getByTestId('template-row').filter({ hasText: 'markup_body' });
  await expect(row).toBeVisible();
  await row.click();
  await expect(page.getByText(payload('template')).first()).toBeVisible();
  await shot(page, 'xss-template');

  expect(dialogs).toEqual([]);
  expect(await ran()).toBeNull();
  // No element the payloads describe exists in the document: they stayed text.
  expect(await page.locator('img[src="x"]').count()).toBe(0);
});

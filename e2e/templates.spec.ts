import { expect, test, type Page } from '@playwright/test';
import { connectSimulator, expectNoSidewaysScroll, goTo, phone, signUp, simulator } from './support.ts';

// The third simulated WABA (inbox.spec.ts and phone.spec.ts use the others): one workspace each.
const wabaId = '310000000000003';
const numberId = '420000000000003';
const customer = '15550133333';

const shot = (page: Page, name: string) =>
  page.screenshot({ path: test.info().outputPath(`${name}.png`), fullPage: true });

test('a template built in the app, approved by Meta, answers a customer whose window has closed', async ({
  page,
  request,
}) => {
  test.setTimeout(120_000);
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto('/signup');
  await signUp(page, 'Tess Template', 'Template Shop');
  await connectSimulator(page, request, wabaId);

  // Connecting synced the account's templates (Meta's hello_world).
  await goTo(page, 'Templates');
  await expect(page.getByRole('heading', { name: 'Templates' })).toBeVisible();
  await expect(page.getByTestId('template-row').filter({ hasText: 'hello_world' })).toBeVisible();

  // Build one: the preview follows the form, Meta's rules are checked before submitting.
  await page.getByRole('button', { name: 'New template' }).click();
  const builder = page.getByTestId('template-builder');
  await builder.getByLabel('Name').fill('Order Update');
  await builder
    .getByRole('textbox', { name: 'Body' })
    .fill('Hi {{1}}, your order {{2}} has shipped. *Thank you!*');
  await builder.getByLabel('Example for {{1}}').fill('Maya');
  await builder.getByLabel('Example for {{2}}').fill('A-1001');
  await builder.getByLabel('Footer (optional)').fill('Parley Demo Store');
  await builder.getByRole('button', { name: 'Add button' }).click();
  await page.getByRole('menuitem', { name: 'link' }).click();
  await builder.getByLabel('Label').fill('Track order');
  await builder.getByLabel('Address (may end with {{1}})').fill('https://shop.example/track/{{1}}');
  await builder.getByLabel('Example address').fill('https://shop.example/track/A-1001');
  const preview = builder.getByTestId('whatsapp-preview');
  await expect(preview).toContainText('Hi Maya, your order A-1001 has shipped.');
  await expect(preview.locator('strong')).toHaveText('Thank you!');
  await expect(preview.getByTestId('template-button')).toHaveText(/Track order/);
  await builder.getByRole('button', { name: 'Submit for review' }).click();
  await expect(
    builder.getByText('A template name may only have lowercase letters, digits and underscores.'),
  ).toBeVisible();
  await shot(page, 'templates-builder-desktop');
  await builder.getByLabel('Name').fill('order_update');
  await builder.getByRole('button', { name: 'Submit for review' }).click();
  await expect(builder).toHaveCount(0);

  // Meta reviews it (the simulator approves after a few seconds) and says so by webhook.
  const row = page.getByTestId('template-row').filter({ hasText: 'order_update' });
  await expect(row.getByTestId('template-status')).toHaveText('Pending');
  await expect(row.getByTestId('template-status')).toHaveText('Approved', { timeout: 20_000 });
  await shot(page, 'templates-list-desktop');

  // A customer wrote two days ago (Meta delivered it late): the 24-hour window is closed.
  const wrote = await request.post(`${simulator}/_simulator/customer-messages`, {
    data: {
      phoneNumberId: numberId,
      from: customer,
      message: { type: 'text', text: { body: 'Where is my order?' } },
      profile: { name: 'Tom Late' },
      sentSecondsAgo: 2 * 24 * 3600,
    },
  });
  expect(wrote.ok(), await wrote.text()).toBe(true);
  await goTo(page, 'Inbox');
  await page.getByTestId('conversation').filter({ hasText: 'Tom Late' }).click();
  await expect(page.getByText('only an approved template can be sent now')).toBeVisible();
  await expect(page.getByRole('textbox', { name: 'Reply' })).toHaveCount(0);

  // The picker is all the composer offers: choose the template, fill it in, check, send.
  const picker = page.getByTestId('template-picker');
  await picker.getByLabel('Template').click();
  await page.getByRole('option', { name: 'order_update (en_US)' }).click();
  await picker.getByRole('button', { name: 'Send template' }).click();
  await expect(picker.getByRole('alert')).toContainText('Fill in {{1}}, {{2}}.');
  await picker.getByLabel('{{1}}').fill('Tom');
  await picker.getByLabel('{{2}}').fill('B-2002');
  await picker.getByLabel('End of the "Track order" address').fill('B-2002');
  await expect(picker.getByTestId('whatsapp-preview')).toContainText(
    'Hi Tom, your order B-2002 has shipped.',
  );
  await shot(page, 'templates-picker-desktop');
  await picker.getByRole('button', { name: 'Send template' }).click();

  // The thread shows it as the customer saw it, and its ticks follow Meta's statuses.
  const sent = page.getByTestId('message').filter({ hasText: 'Hi Tom, your order B-2002 has shipped.' });
  await expect(sent).toBeVisible();
  await expect(sent.getByTestId('template-content')).toContainText('Parley Demo Store');
  await expect(sent.getByTestId('template-button')).toHaveText(/Track order/);
  await expect(sent.getByTestId('template-button')).toHaveAttribute(
    'title',
    'https://shop.example/track/B-2002',
  );
  await expect(sent.getByTestId('message-status')).toHaveAttribute('aria-label', /^(delivered|read)$/, {
    timeout: 20_000,
  });
  await expect(sent.getByTestId('pricing-category')).toHaveText('utility');
  await shot(page, 'templates-thread-desktop');

  // What Meta received: the template with its parameters.
  const atMeta = (await (await request.get(`${simulator}/_simulator/messages`)).json()) as {
    to: string;
    body: { type: string; template?: { name: string } };
  }[];
  expect(atMeta.filter((m) => m.to === customer).map((m) => m.body.template?.name)).toEqual(['order_update']);

  // On a phone the thread, the picker and the templates page fit the screen.
  await page.setViewportSize(phone);
  await expect(sent).toBeVisible();
  await expectNoSidewaysScroll(page);
  await shot(page, 'templates-thread-phone');
  await goTo(page, 'Templates');
  await expect(page.getByTestId('template-row').first()).toBeVisible();
  await expectNoSidewaysScroll(page);
  await shot(page, 'templates-list-phone');
});

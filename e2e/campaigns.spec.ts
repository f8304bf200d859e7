import { expect, test, type Page } from '@playwright/test';
import {
  createContacts,
  expectNoSidewaysScroll,
  goTo,
  phone,
  procedure,
  signUp,
  startSandbox,
} from './support.ts';

/**
 * Campaigns end to end, in the sandbox (the in-process simulator): contacts through the API, an
 * audience built from conditions with its live count, a campaign created in the wizard (template
 * variables from contact fields, preview, schedule, review), paused and resumed on its live page,
 * and its report reaching completed with the recipients' CSV.
 */
const shot = (page: Page, name: string) =>
  page.screenshot({ path: test.info().outputPath(`${name}.png`), fullPage: true });

const audience = 18;

test('an audience, a campaign through the wizard, paused and resumed, reaches its report', async ({
  page,
}) => {
  test.setTimeout(240_000);
  await page.setViewportSize({ width: 1440, height: 900 });
  await page.goto('/signup');
  await signUp(page, 'Cara Campaign', 'Campaign Shop');
  await startSandbox(page);

  // A template with two variables, approved by the sandbox's Meta after a few seconds.
  const [channel] = await procedure<{ id: string }[]>(page, 'channel.list', undefined, 'query');
  await procedure(page, 'template.create', {
    channelId: channel?.id,
    name: 'spring_offer',
    language: 'en_US',
    category: 'MARKETING',
    body: 'Hi {{1}}, our spring offer: {{2}} off everything.',
    examples: { '1': 'Maya', '2': '20%' },
  });
  await expect
    .poll(
      async () =>
        (await procedure<{ name: string; status: string }[]>(page, 'template.list', {}, 'query')).find(
          (t) => t.name === 'spring_offer',
        )?.status,
      { timeout: 30_000 },
    )
    .toBe('APPROVED');

  // Contacts: the audience (tag spring, two of them opted out later), and others it must not reach.
  const numbers = Array.from({ length: audience + 2 }, (_, i) => `+49 151 2345 ${String(6000 + i)}`);
  const ids = await createContacts(
    page,
    numbers.map((number, i) => ({
      phone: number,
      name: `Spring Customer ${i + 1}`,
      tags: ['spring', ...(i % 3 === 0 ? ['vip'] : [])],
      optInSource: 'e2e',
    })),
  );
  for (const id of ids.slice(audience)) await procedure(page, 'contact.optOut', { id, source: 'e2e' });
  await createContacts(page, [{ phone: '+49 151 2345 7001', name: 'Winter Only', tags: ['winter'] }]);

  // The audience, from conditions, with its live count.
  await goTo(page, 'Audiences');
  await page.getByRole('button', { name: 'New audience' }).click();
  const editor = page.getByTestId('segment-editor');
  await editor.getByLabel('Audience name').fill('Spring list');
  await editor.getByLabel('Has any of these tags').fill('spring');
  await editor.getByLabel('Has any of these tags').press('Enter');
  await expect(editor.getByTestId('audience-count')).toContainText(`${audience} recipients`);
  await expect(editor.getByTestId('audience-count')).toContainText('2 opted out');
  await editor.getByLabel('Country (two-letter codes)').fill('DE');
  await editor.getByLabel('Country (two-letter codes)').press('Enter');
  await expect(editor.getByTestId('audience-count')).toContainText(`${audience} recipients`);
  await shot(page, 'campaigns-audience-editor-desktop');
  await editor.getByRole('button', { name: 'Create audience' }).click();
  const row = page.getByTestId('segment-row').filter({ hasText: 'Spring list' });
  await expect(row).toContainText(`${audience} recipients`);
  await shot(page, 'campaigns-audiences-desktop');

  // The wizard: audience → message with a preview → schedule → review.
  await goTo(page, 'Campaigns');
  await page.getByRole('link', { name: 'New campaign' }).click();
  await page.getByLabel('Campaign name').fill('Spring offer');
  await page.getByRole('combobox', { name: 'Audience' }).click();
  await page.getByRole('option', { name: 'Spring list' }).click();
  await expect(page.getByTestId('audience-count')).toContainText(`${audience} recipients`);
  await page.getByRole('button', { name: 'Next' }).click();

  await page.getByRole('combobox', { name: 'Send from' }).click();
  await page.getByRole('option').first().click();
  await page.getByRole('combobox', { name: 'Approved template' }).click();
  await page.getByRole('option', { name: /spring_offer/ }).click();
  await page.getByLabel('Fallback for {{1}}').fill('there');
  await page.getByRole('combobox', { name: '{{2}}', exact: true }).click();
  await page.getByRole('option', { name: 'Fixed text' }).click();
  await page.getByLabel('Text for {{2}}').fill('25%');
  const preview = page.getByTestId('whatsapp-preview');
  await expect(preview).toContainText(/Hi Spring, our spring offer: 25% off everything\./);
  await shot(page, 'campaigns-wizard-message-desktop');
  await page.getByRole('button', { name: 'Next' }).click();

  // At most 2 a second, so there is time to pause it.
  await page.getByLabel('Maximum rate (messages a second, optional)').fill('2');
  await page.getByRole('button', { name: 'Next' }).click();
  await expect(page.getByTestId('review-recipients')).toHaveText(String(audience));
  await expect(page.getByTestId('review-duration')).toHaveText(`About ${audience / 2} s at 2 msg/s`);
  await shot(page, 'campaigns-wizard-review-desktop');
  await page.getByRole('button', { name: 'Start campaign' }).click();

  // The live page: pause, nothing more goes out; resume; it completes.
  await expect(page.getByRole('heading', { name: 'Spring offer' })).toBeVisible();
  const status = page.getByTestId('campaign-status');
  await expect(status).toHaveText('running', { timeout: 20_000 });
  await expect(page.getByTestId('stat-sent')).not.toContainText(/^Sent0/, { timeout: 30_000 });
  await page.getByRole('button', { name: 'Pause' }).click();
  await expect(status).toHaveText('paused');
  await shot(page, 'campaigns-live-paused-desktop');
  const sentWhilePaused = await page.getByTestId('campaign-progress').textContent();
  await page.waitForTimeout(3_000);
  const report = await procedure<{ pending: number; queued: number; total: number }>(
    page,
    'campaign.report',
    { id: page.url().split('/').at(-1) },
    'query',
  );
  expect(report.total).toBe(audience);
  expect(report.pending).toBeGreaterThan(0);
  expect(report.queued).toBe(0);
  expect(sentWhilePaused).toMatch(/of 18 recipients done/);

  await page.getByRole('button', { name: 'Resume' }).click();
  await expect(status).toHaveText('running');
  await expect(status).toHaveText('completed', { timeout: 90_000 });
  await expect(page.getByTestId('campaign-progress')).toHaveText(
    `${audience} of ${audience} recipients done`,
  );
  await expect(page.getByTestId('stat-sent')).toContainText(String(audience));
  await expect(page.getByTestId('stat-failed')).toContainText('0');
  await shot(page, 'campaigns-live-completed-desktop');

  // The recipients' CSV, streamed.
  const csv = await page.request.get(
    (await page.getByRole('link', { name: 'Export CSV' }).getAttribute('href')) ?? '',
  );
  expect(csv.ok()).toBe(true);
  expect(csv.headers()['content-type']).toContain('text/csv');
  const lines = (await csv.text()).trim().split(/\r?\n/);
  expect(lines[0]).toContain('phone,name,status');
  expect(lines).toHaveLength(audience + 1);

  // The list, and the same pages on a phone.
  await goTo(page, 'Campaigns');
  await expect(page.getByTestId('campaign-row').filter({ hasText: 'Spring offer' })).toContainText(
    'completed',
  );
  await shot(page, 'campaigns-list-desktop');
  await page.setViewportSize(phone);
  await expectNoSidewaysScroll(page);
  await shot(page, 'campaigns-list-phone');
  await page.getByTestId('campaign-row').filter({ hasText: 'Spring offer' }).click();
  await expect(status).toHaveText('completed');
  await expectNoSidewaysScroll(page);
  await shot(page, 'campaigns-live-phone');
  await goTo(page, 'Audiences');
  await expect(row).toBeVisible();
  await expectNoSidewaysScroll(page);
  await shot(page, 'campaigns-audiences-phone');

  // The workspace's time zone, in which campaigns are scheduled.
  await page.setViewportSize({ width: 1440, height: 900 });
  await goTo(page, 'Settings');
  await page.getByRole('navigation', { name: 'Settings' }).getByText('Time zone').click();
  await page.getByRole('combobox', { name: 'Workspace time zone' }).fill('Europe/Ber');
  await page.getByRole('option', { name: 'Europe/Berlin' }).click();
  await page.getByRole('button', { name: 'Save time zone' }).click();
  await expect(page.getByRole('status')).toHaveText('Saved.');
  await shot(page, 'campaigns-time-zone-desktop');
});

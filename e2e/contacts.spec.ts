import { readFile } from 'node:fs/promises';
import { expect, test, type Page } from '@playwright/test';
import { goTo, newMember, phone, signUp } from './support.ts';

/**
 * The contact book in the web app (issue 21): settings (default country, a custom attribute), an
 * Excel-style CSV import with bad rows (errors downloadable), the table, editing a contact and its
 * attribute, the CSV export, erasure behind a confirmation, and a viewer who can read but not change.
 */

// What Excel writes where "," is the decimal separator: a BOM, ";" and CRLF. Row 3 has no valid
// number; row 5 repeats row 1's number (a duplicate within the file, skipped).
const csv =
  '\uFEFFTelefon;Name;City\r\n' +
  '+49 151 23456781;Anna Schmidt;Berlin\r\n' +
  '0151 23456782;Ben Weber;Hamburg\r\n' +
  'not-a-phone;Broken Row;Nowhere\r\n' +
  '0151 23456783;Clara Vogel;München\r\n' +
  '+4915123456781;Anna Again;Berlin\r\n';

async function pick(page: Page, combobox: string, option: string) {
  await page.getByRole('combobox', { name: combobox }).click();
  await page.getByRole('option', { name: option, exact: true }).click();
}

/** The Contacts section from the navbar (the settings page has its own "Contacts" link). */
async function openContacts(page: Page) {
  await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Contacts' }).click();
  await expect(page.getByRole('heading', { name: 'Contacts' })).toBeVisible();
}

async function downloadText(page: Page, click: () => Promise<void>) {
  const [download] = await Promise.all([page.waitForEvent('download'), click()]);
  return readFile((await download.path()) ?? '', 'utf8');
}

test('import a CSV with bad rows, edit a contact and its attribute, export; a viewer only reads', async ({
  browser,
}) => {
  test.setTimeout(180_000);
  const owner = await newMember(browser);
  await owner.setViewportSize({ width: 1440, height: 900 });
  await signUp(owner, 'Olga Owner', 'Contacts Bakery');

  // Settings: Germany is the default country; contacts get a "City" attribute.
  await goTo(owner, 'Settings');
  await owner.getByRole('navigation', { name: 'Settings' }).getByRole('link', { name: 'Contacts' }).click();
  await owner.getByRole('combobox', { name: 'Default country' }).fill('Germany');
  await owner.getByRole('option', { name: 'Germany (+49)' }).click();
  await owner.getByRole('button', { name: 'Save' }).click();
  await expect(owner.getByText('Saved.')).toBeVisible();
  await owner.getByRole('textbox', { name: 'Label', exact: true }).fill('City');
  await owner.getByRole('textbox', { name: 'Key', exact: true }).fill('city');
  await owner.getByRole('button', { name: 'Add attribute' }).click();
  await expect(owner.getByTestId('attributes').getByText('city', { exact: true })).toBeVisible();

  // Import: upload, map the columns over the preview, run.
  await openContacts(owner);
  await owner.getByRole('link', { name: 'Import CSV' }).click();
  await owner
    .locator('input[type=file]')
    .setInputFiles({ name: 'excel-export.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
  await owner.getByRole('button', { name: 'Upload and preview' }).click();
  const preview = owner.getByTestId('import-preview');
  await expect(preview.getByText('Anna Schmidt')).toBeVisible();
  await expect(preview.getByText('not-a-phone')).toBeVisible();
  await pick(owner, 'Column Telefon', 'Phone number');
  await pick(owner, 'Column Name', 'Name');
  await pick(owner, 'Column City', 'Attribute: City');
  await owner.screenshot({
    path: test.info().outputPath('contacts-import-mapping-1440.png'),
    fullPage: true,
  });
  await owner.getByRole('button', { name: 'Import', exact: true }).click();
  const summary = owner.getByTestId('import-summary');
  await expect(summary).toBeVisible({ timeout: 30_000 });
  await expect(summary.getByText('Added: 3')).toBeVisible();
  await expect(summary.getByText('Skipped: 1')).toBeVisible();
  await expect(summary.getByText('Failed: 1')).toBeVisible();
  await owner.screenshot({
    path: test.info().outputPath('contacts-import-summary-1440.png'),
    fullPage: true,
  });
  const errors = await downloadText(owner, () => owner.getByTestId('errors-csv').click());
  expect(errors).toContain('row,error,Telefon,Name,City');
  expect(errors).toContain('not-a-phone');
  expect(errors).not.toContain('Anna');

  // The table shows them, with the country from the number.
  await owner.getByRole('link', { name: 'See the contacts' }).click();
  await expect(owner.getByTestId('contact-row')).toHaveCount(3);
  await expect(owner.getByTestId('contact-count')).toHaveText('3 contacts');
  await expect(owner.getByTestId('contact-row').filter({ hasText: 'Anna Schmidt' })).toContainText('Germany');
  await owner.getByLabel('Search').fill('Ben');
  await expect(owner.getByTestId('contact-row')).toHaveCount(1);
  await owner.getByLabel('Search').fill('');
  await expect(owner.getByTestId('contact-row')).toHaveCount(3);
  await owner.screenshot({ path: test.info().outputPath('contacts-table-1440.png'), fullPage: true });

  // Bulk tag two contacts, then filter by the tag.
  await owner.getByRole('checkbox', { name: 'Choose Anna Schmidt' }).check();
  await owner.getByRole('checkbox', { name: 'Choose Ben Weber' }).check();
  await owner.getByLabel('Tag for the chosen contacts').fill('spring-sale');
  await owner.getByRole('button', { name: 'Add tag' }).click();
  await expect(owner.getByTestId('contact-row').filter({ hasText: 'spring-sale' })).toHaveCount(2);

  // Edit one: a new name and its City attribute.
  await owner.getByTestId('contact-link').filter({ hasText: 'Anna Schmidt' }).click();
  await expect(owner.getByTestId('attribute-value-city')).toHaveText('City Berlin');
  await owner.getByRole('button', { name: 'Edit' }).click();
  await owner.getByRole('textbox', { name: 'Name', exact: true }).fill('Anna Schmidt-Berg');
  await owner.getByTestId('attribute-city').fill('Potsdam');
  await owner.getByRole('button', { name: 'Save' }).click();
  await expect(owner.getByRole('heading', { name: 'Anna Schmidt-Berg' })).toBeVisible();
  await expect(owner.getByTestId('attribute-value-city')).toHaveText('City Potsdam');
  // Consent with its source.
  await owner.getByRole('textbox', { name: 'Source' }).fill('phone call');
  await owner.getByRole('button', { name: 'Opt in' }).click();
  await expect(owner.getByTestId('opted-in')).toContainText('phone call');
  await owner.screenshot({ path: test.info().outputPath('contact-page-1440.png'), fullPage: true });
  const contactUrl = owner.url();

  // Export: the same columns an import reads, with the edit.
  await openContacts(owner);
  const exported = await downloadText(owner, () => owner.getByRole('link', { name: 'Export CSV' }).click());
  expect(exported).toContain('phone,name,email,tags,notes,country');
  expect(exported).toContain('+4915123456781,Anna Schmidt-Berg');
  expect(exported).toContain('Potsdam');

  // A new contact: the number is read with the default country while it is typed.
  await owner.getByRole('button', { name: 'New contact' }).click();
  await owner.getByRole('textbox', { name: 'Phone number' }).fill('0151 23456789');
  await expect(owner.getByTestId('phone-normalised')).toHaveText('Saved as +4915123456789 (Germany)');
  await owner.getByRole('dialog').getByRole('textbox', { name: 'Name', exact: true }).fill('Dora Neu');
  await owner.getByRole('button', { name: 'Add contact' }).click();
  await expect(owner.getByRole('heading', { name: 'Dora Neu' })).toBeVisible();

  // Erase, behind a confirmation.
  await owner.getByRole('button', { name: 'Erase contact' }).click();
  await owner.getByRole('button', { name: 'Erase for good' }).click();
  await expect(owner.getByRole('heading', { name: 'Contacts' })).toBeVisible();
  await expect(owner.getByTestId('contact-row')).toHaveCount(3);

  // On a phone.
  await owner.setViewportSize(phone);
  await owner.screenshot({ path: test.info().outputPath('contacts-table-390.png'), fullPage: true });
  await owner.goto(contactUrl);
  await expect(owner.getByRole('heading', { name: 'Anna Schmidt-Berg' })).toBeVisible();
  await owner.screenshot({ path: test.info().outputPath('contact-page-390.png'), fullPage: true });
  await owner.setViewportSize({ width: 1440, height: 900 });

  // A viewer reads the contact but sees no way to change or erase it, and the server refuses.
  await goTo(owner, 'Team');
  await owner.getByLabel('Invite by email').fill(`contacts-viewer-${Date.now()}@example.test`);
  await pick(owner, 'Role', 'viewer');
  await owner.getByRole('button', { name: 'Invite' }).click();
  const link = await owner
    .getByText(/\/invite\//)
    .last()
    .textContent();
  const viewer = await newMember(browser, new URL(link ?? '').pathname);
  await signUp(viewer, 'Vic Viewer');
  await viewer.goto(contactUrl);
  await expect(viewer.getByRole('heading', { name: 'Anna Schmidt-Berg' })).toBeVisible();
  await expect(viewer.getByTestId('attribute-value-city')).toHaveText('City Potsdam');
  await expect(viewer.getByRole('button', { name: 'Edit' })).toHaveCount(0);
  await expect(viewer.getByRole('button', { name: 'Erase contact' })).toHaveCount(0);
  await expect(viewer.getByRole('button', { name: 'Opt out' })).toHaveCount(0);
  await openContacts(viewer);
  await expect(viewer.getByTestId('contact-row')).toHaveCount(3);
  await expect(viewer.getByRole('button', { name: 'New contact' })).toHaveCount(0);
  await expect(viewer.getByRole('link', { name: 'Import CSV' })).toHaveCount(0);
  const contactId = new URL(contactUrl).pathname.split('/').pop() ?? '';
  const origin = new URL(contactUrl).origin;
  for (const [procedure, input] of [
    ['contact.update', { id: contactId, name: 'Hacked' }],
    ['contact.erase', { id: contactId }],
  ] as const) {
    const refused = await viewer.request.post(`/trpc/${procedure}`, { data: input, headers: { origin } });
    expect(refused.status(), procedure).toBe(403);
  }
  await viewer.reload();
  await expect(viewer.getByTestId('contact-row').filter({ hasText: 'Anna Schmidt-Berg' })).toHaveCount(1);
});

import { expect, test, type Page } from '@playwright/test';
import { port } from './playwright.config.ts';

const shot = (page: Page, name: string) =>
  page.screenshot({ path: test.info().outputPath(`${name}.png`), animations: 'disabled', timeout: 20_000 });

test('/api/docs lists the REST mirror and its "try it" calls the API with a key', async ({ page }) => {
  test.setTimeout(90_000);
  await page.setViewportSize({ width: 1400, height: 900 });
  // The account and its key through the API (the UI's sign-up and API keys page are covered elsewhere).
  const origin = { origin: `http://127.0.0.1:${port}` };
  const signedUp = await page.request.post('/trpc/auth.signUp', {
    data: {
      email: `ida-${Date.now()}@example.test`,
      password: 'a long enough password',
      displayName: 'Ida Integrator',
      workspaceName: 'Integrations Inc',
    },
    headers: origin,
  });
  expect(signedUp.status()).toBe(200);
  const created = await page.request.post('/trpc/apiKey.create', {
    data: { name: 'Docs try-it', scopes: ['read'] },
    headers: origin,
  });
  expect(created.status()).toBe(200);
  const token = ((await created.json()) as { result: { data: { token: string } } }).result.data.token;

  await page.goto('/api/docs/#tag/channels/GET/channels');
  await expect(page.getByRole('heading', { name: 'Parley API', level: 1 })).toBeVisible({ timeout: 30_000 });
  await expect(page.getByRole('button', { name: 'Ask AI' })).toHaveCount(0);
  await page.getByRole('textbox', { name: 'Bearer Token' }).first().fill(token);
  await shot(page, 'api-docs-authenticated');
  await page.getByRole('button', { name: 'Test Request (get /channels)' }).click();
  const client = page.getByRole('dialog');
  await expect(client).toBeVisible({ timeout: 15_000 });
  await shot(page, 'api-docs-client');
  await client.getByRole('button', { name: /^Send/ }).first().click();
  await expect(client.getByText('200 OK').first()).toBeVisible({ timeout: 15_000 });
  await expect(client.getByText('[]').first()).toBeVisible();
  await shot(page, 'api-docs-try-it-200');
});

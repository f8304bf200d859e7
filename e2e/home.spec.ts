import { expect, test } from '@playwright/test';

test('the web app loads and shows what the server reports about itself', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByRole('heading', { name: 'Parley', level: 1 })).toBeVisible();
  // Both values come from tRPC procedures (system.info, system.health), not from the bundle.
  await expect(page.getByTestId('version')).toHaveText(/^Parley \d+\.\d+\.\d+ on Node v24\./);
  await expect(page.getByTestId('readiness')).toHaveText('Ready');
});

test('client-side routes are served the app, server routes stay JSON', async ({ page, request }) => {
  await page.goto('/inbox/some-conversation');
  await expect(page.getByRole('heading', { name: 'Parley', level: 1 })).toBeVisible();
  const missing = await request.get('/api/not-a-route');
  expect(missing.status()).toBe(404);
  expect(await missing.json()).toMatchObject({ statusCode: 404 });
});

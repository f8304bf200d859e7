import { expect, test, type Page } from '@playwright/test';
import { phone, signUp } from './support.ts';

test.describe.configure({ mode: 'serial' });

const shot = (page: Page, name: string) =>
  page.screenshot({ path: test.info().outputPath(`${name}.png`), fullPage: true });

/**
 * A silent constant-bitrate MP3 (MPEG-1 Layer III, 128 kb/s, 44.1 kHz, mono): frames whose side
 * information is all zero decode as silence. 7,200 frames ≈ 188 s and 3 MB, long enough that the
 * browser fetches only the start and must ask for a later byte range to seek.
 */
function silentMp3(frames = 7200): Buffer {
  const frame = Buffer.alloc(417);
  frame.set([0xff, 0xfb, 0x90, 0xc4]);
  return Buffer.concat(Array.from({ length: frames }, () => frame));
}

test('media in the thread: a customer photo with its lightbox, an agent voice file that seeks by Range', async ({
  page,
}) => {
  test.setTimeout(90_000);
  await page.setViewportSize({ width: 1280, height: 860 });
  await page.goto('/signup');
  await signUp(page, 'Mira Media', 'Media Shop');
  await page.getByRole('navigation').getByText('Channels', { exact: true }).click();
  await page.getByRole('button', { name: 'Try the sandbox' }).click();
  await expect(page.getByTestId('channel').filter({ hasText: 'Sandbox' })).toBeVisible();
  await page.getByRole('navigation').getByText('Inbox', { exact: true }).click();
  await page.getByTestId('conversation').filter({ hasText: 'Maya Lindqvist' }).click();
  const customer = page.getByTestId('customer-panel');
  await expect(customer).toBeVisible();

  // The customer sends a photo: Parley downloads it, stores it and shows its thumbnail.
  await customer.getByLabel('Message type').click();
  await page.getByRole('option', { name: 'Image' }).click();
  await customer.getByLabel('Customer message').fill('This one, in blue?');
  await customer.getByRole('button', { name: 'Send as customer' }).click();
  const photoBubble = page.getByTestId('message').filter({ hasText: 'This one, in blue?' });
  const thumbnail = photoBubble.getByTestId('media-image');
  await expect(thumbnail).toBeVisible({ timeout: 15_000 });
  await expect(thumbnail).toHaveAttribute('src', /\/media\/[0-9a-f-]{36}\/thumbnail$/);
  await expect
    .poll(() => thumbnail.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth), {
      timeout: 10_000,
    })
    .toBe(320);

  // The full image opens over the thread.
  await photoBubble.getByRole('button', { name: /Open image/ }).click();
  const full = page.getByRole('dialog').getByRole('img', { name: 'This one, in blue?' });
  await expect(full).toBeVisible();
  await expect(full).toHaveAttribute('src', /\/media\/[0-9a-f-]{36}$/);
  await expect.poll(() => full.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(640);
  await shot(page, 'media-lightbox-desktop');
  await page.keyboard.press('Escape');

  // The agent attaches an audio file: it uploads with progress, then goes out with the reply.
  await page.getByTestId('attach-input').setInputFiles({
    name: 'size-guide.mp3',
    mimeType: 'audio/mpeg',
    buffer: silentMp3(),
  });
  const attachment = page.getByTestId('attachment');
  await expect(attachment).toHaveAttribute('data-state', 'ready', { timeout: 15_000 });
  await page.getByRole('button', { name: 'Send', exact: true }).click();
  await expect(attachment).toHaveCount(0);
  const outgoing = page
    .getByTestId('message')
    .filter({ has: page.getByTestId('media-audio') })
    .last();
  const audio = outgoing.getByTestId('media-audio');
  await expect(audio).toBeVisible({ timeout: 10_000 });
  await expect(outgoing.getByTestId('message-status')).toHaveAttribute('aria-label', /sent|delivered|read/, {
    timeout: 15_000,
  });

  // Seeking far into the file makes Chromium ask for a later byte range: Parley answers 206.
  const ranges: { range: string; status: number }[] = [];
  page.on('response', (response) => {
    const range = response.request().headers().range;
    if (/\/media\/[0-9a-f-]{36}$/.test(response.url()) && range)
      ranges.push({ range, status: response.status() });
  });
  await expect
    .poll(() => audio.evaluate((element: HTMLAudioElement) => element.duration), { timeout: 10_000 })
    .toBeGreaterThan(150);
  await audio.evaluate(
    (element: HTMLAudioElement) =>
      new Promise<void>((resolve) => {
        element.addEventListener('seeked', () => resolve(), { once: true });
        element.currentTime = 150;
      }),
  );
  expect(await audio.evaluate((element: HTMLAudioElement) => Math.round(element.currentTime))).toBe(150);
  await expect
    .poll(() => ranges.some(({ range, status }) => status === 206 && !/^bytes=0-/.test(range)))
    .toBe(true);
  await expect(outgoing).toContainText(/Audio · 3:0\d/);
  await shot(page, 'media-thread-desktop');

  // The same thread at a phone's width.
  await page.setViewportSize(phone);
  await expect(thumbnail).toBeVisible();
  await thumbnail.scrollIntoViewIfNeeded();
  await shot(page, 'media-thread-390');
});

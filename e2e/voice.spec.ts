import { expect, test, type Page } from '@playwright/test';
import { connectSimulator, customerSends, goTo, signUp, simulator } from './support.ts';

// Chromium hands the page a fake microphone (a steady tone) without asking: the composer records a
// real voice note with MediaRecorder, which Chromium writes as WebM Opus.
test.use({
  launchOptions: {
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--use-fake-device-for-media-stream',
      '--use-fake-ui-for-media-stream',
    ],
  },
});

const wabaId = '310000000000004';
const numberId = '420000000000004';
const customer = '15550144444';
const token = { authorization: 'Bearer simulator-access-token' };

const shot = (page: Page, name: string) =>
  page.screenshot({ path: test.info().outputPath(`${name}.png`), fullPage: true });

test('a voice note recorded in Chromium reaches the customer as Ogg Opus; an expired media id ends visibly', async ({
  page,
  request,
}) => {
  test.setTimeout(120_000);
  await page.setViewportSize({ width: 1280, height: 860 });
  await page.goto('/signup');
  await signUp(page, 'Vera Voice', 'Voice Shop');
  await connectSimulator(page, request, wabaId);
  await customerSends(
    request,
    numberId,
    customer,
    { type: 'text', text: { body: 'Can you explain by voice?' } },
    'Vic Voice',
  );
  await goTo(page, 'Inbox');
  await page.getByTestId('conversation').filter({ hasText: 'Vic Voice' }).click();
  await expect(page.getByText('Can you explain by voice?')).toBeVisible({ timeout: 15_000 });

  // Record about two seconds, stop: the recording is attached and uploaded (the server remuxes it).
  await page.getByRole('button', { name: 'Record a voice message' }).click();
  await page.waitForTimeout(2_000);
  await page.getByRole('button', { name: 'Stop recording' }).click();
  const attachment = page.getByTestId('attachment');
  await expect(attachment).toContainText('Voice message');
  await expect(attachment).toHaveAttribute('data-state', 'ready', { timeout: 15_000 });
  await page.getByRole('button', { name: 'Send', exact: true }).click();
  await expect(attachment).toHaveCount(0);

  // The thread shows it as a voice message with its length.
  const bubble = page
    .getByTestId('message')
    .filter({ has: page.getByTestId('media-audio') })
    .last();
  await expect(bubble.getByTestId('media-audio-label')).toHaveText(/^Voice message · 0:0[1-3]$/, {
    timeout: 15_000,
  });

  // Meta (the simulator) got an audio message by media id, flagged as a voice note, whose file is Ogg Opus.
  type Sent = { to: string; type: string; body: { audio?: { id: string; voice?: boolean } } };
  const sentAudio = async () =>
    ((await (await request.get(`${simulator}/_simulator/messages`)).json()) as Sent[]).find(
      (m) => m.to === customer && m.type === 'audio',
    )?.body.audio;
  await expect.poll(sentAudio, { timeout: 15_000 }).toBeTruthy();
  const audio = (await sentAudio())!;
  expect(audio.voice).toBe(true);
  const described = (await (
    await request.get(`${simulator}/v25.0/${audio.id}`, { headers: token })
  ).json()) as {
    url: string;
    mime_type: string;
  };
  expect(described.mime_type).toMatch(/^audio\/ogg/);
  const file = Buffer.from(await (await request.get(described.url, { headers: token })).body());
  expect(file.subarray(0, 4).toString('latin1')).toBe('OggS');
  expect(file.includes('OpusHead', 0, 'latin1')).toBe(true);
  await shot(page, 'voice-note-sent');

  // A customer photo whose media id Meta no longer has ends as "unavailable", with why — no spinner.
  await customerSends(request, numberId, customer, {
    type: 'image',
    image: { mime_type: 'image/jpeg', expired: true },
  });
  const gone = page.getByTestId('media-unavailable').last();
  await expect(gone).toBeVisible({ timeout: 15_000 });
  await expect(gone).toContainText('Image unavailable');
  await expect(gone).toContainText(/no longer has this media/);
  await expect(page.getByTestId('media-pending')).toHaveCount(0);
  await shot(page, 'media-unavailable');
});

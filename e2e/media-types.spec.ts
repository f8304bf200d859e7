import { createHash } from 'node:crypto';
import { expect, test, type APIRequestContext, type Locator, type Page } from '@playwright/test';
import sharp from 'sharp';
import { connectSimulator, customerSends, goTo, signUp, simulator } from './support.ts';

const wabaId = '310000000000005';
const numberId = '420000000000005';
const customer = '15550155555';
const token = { authorization: 'Bearer simulator-access-token' };
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

const shot = (page: Page, name: string) =>
  page.screenshot({ path: test.info().outputPath(`${name}.png`), fullPage: true });

/** A silent MP3: frames whose side information is all zero decode as silence. */
const silentMp3 = (frames: number) => {
  const frame = Buffer.alloc(417);
  frame.set([0xff, 0xfb, 0x90, 0xc4]);
  return Buffer.concat(Array.from({ length: frames }, () => frame));
};

/** A one-page PDF (enough for a document: Parley stores and serves its bytes as they are). */
const pdf = (text: string) =>
  Buffer.from(
    `%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n% ${text}\ntrailer << /Root 1 0 R >>\n%%EOF\n`,
  );

interface Kind {
  kind: 'image' | 'video' | 'audio' | 'document' | 'sticker';
  mimeType: string;
  filename: string;
  bytes: () => Promise<Buffer>;
}

const kinds: Kind[] = [
  {
    kind: 'image',
    mimeType: 'image/png',
    filename: 'jacket.png',
    bytes: () =>
      sharp({ create: { width: 96, height: 64, channels: 3, background: '#2a9d8f' } })
        .png()
        .toBuffer(),
  },
  {
    kind: 'video',
    mimeType: 'video/mp4',
    filename: 'unboxing.mp4',
    bytes: async () => Buffer.from(`e2e video ${'·'.repeat(2000)}`),
  },
  { kind: 'audio', mimeType: 'audio/mpeg', filename: 'size-guide.mp3', bytes: async () => silentMp3(120) },
  {
    kind: 'document',
    mimeType: 'application/pdf',
    filename: 'price-list.pdf',
    bytes: async () => pdf('prices'),
  },
  {
    kind: 'sticker',
    mimeType: 'image/webp',
    filename: 'thanks.webp',
    bytes: () =>
      sharp({ create: { width: 512, height: 512, channels: 4, background: '#e76f51' } })
        .webp()
        .toBuffer(),
  },
];

/** The stored file a bubble shows, as Parley serves it to the signed-in agent. */
async function storedBytes(page: Page, bubble: Locator): Promise<Buffer> {
  const html = await bubble.innerHTML();
  const id = /\/media\/([0-9a-f-]{36})/.exec(html)?.[1];
  expect(id, 'the bubble links its stored media').toBeTruthy();
  const response = await page.request.get(`/media/${id}`);
  expect(response.status()).toBe(200);
  return Buffer.from(await response.body());
}

/** What the customer received from Meta (the simulator) for the agent's last message of this kind. */
async function receivedBytes(request: APIRequestContext, kind: string): Promise<Buffer> {
  type Sent = { to: string; type: string; body: Record<string, { id?: string }> };
  const sent = async () =>
    ((await (await request.get(`${simulator}/_simulator/messages`)).json()) as Sent[])
      .filter((m) => m.to === customer && m.type === kind)
      .at(-1)?.body[kind]?.id;
  await expect.poll(sent, { timeout: 15_000 }).toBeTruthy();
  const described = (await (
    await request.get(`${simulator}/v25.0/${await sent()}`, { headers: token })
  ).json()) as {
    url: string;
  };
  return Buffer.from(await (await request.get(described.url, { headers: token })).body());
}

test('every media type both ways: the customer’s file is stored and shown as it was sent, the agent’s reaches the customer byte for byte', async ({
  page,
  request,
}) => {
  test.setTimeout(180_000);
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto('/signup');
  await signUp(page, 'Tomas Types', 'Types Shop');
  await connectSimulator(page, request, wabaId);
  await customerSends(
    request,
    numberId,
    customer,
    { type: 'text', text: { body: 'Files coming!' } },
    'Tia Types',
  );
  await goTo(page, 'Inbox');
  await page.getByTestId('conversation').filter({ hasText: 'Tia Types' }).click();
  await expect(page.getByText('Files coming!')).toBeVisible({ timeout: 15_000 });

  for (const { kind, mimeType, filename, bytes } of kinds) {
    const file = await bytes();
    // The customer sends it: Parley fetches it from Meta before the link expires, stores and shows it.
    await customerSends(request, numberId, customer, {
      type: kind,
      [kind]: { bytes: [...file], mime_type: mimeType, ...(kind === 'document' ? { filename } : {}) },
    });
    const incoming = page
      .getByTestId('message')
      .filter({ has: page.getByTestId(`media-${kind}`) })
      .first();
    await expect(incoming.getByTestId(`media-${kind}`)).toBeVisible({ timeout: 20_000 });
    expect(sha256(await storedBytes(page, incoming)), `${kind} stored as sent`).toBe(sha256(file));

    // The agent sends the same kind: uploaded to Meta and sent by media id, received unchanged.
    await page.getByTestId('attach-input').setInputFiles({ name: filename, mimeType, buffer: file });
    const attachment = page.getByTestId('attachment');
    await expect(attachment).toHaveAttribute('data-state', 'ready', { timeout: 15_000 });
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    await expect(attachment).toHaveCount(0);
    expect(sha256(await receivedBytes(request, kind)), `${kind} received as sent`).toBe(sha256(file));
    const outgoing = page
      .getByTestId('message')
      .filter({ has: page.getByTestId(`media-${kind}`) })
      .last();
    await expect(outgoing.getByTestId('message-status')).toHaveAttribute(
      'aria-label',
      /sent|delivered|read/,
      {
        timeout: 15_000,
      },
    );
  }
  await shot(page, 'media-types-thread');
});

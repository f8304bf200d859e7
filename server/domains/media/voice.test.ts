import { BufferSource, EncodedPacketSink, Input, OGG, WEBM } from 'mediabunny';
import { describe, expect, it } from 'vitest';
import { chromiumVoiceNote } from '../../test/media.ts';
import { NotAVoiceNote, voiceNoteAsOgg } from './voice.ts';

/** Every Opus packet of a file's audio track, in order. */
async function opusPackets(bytes: Uint8Array, format: typeof OGG | typeof WEBM) {
  const input = new Input({ source: new BufferSource(bytes), formats: [format] });
  const track = await input.getPrimaryAudioTrack();
  expect(track?.codec).toBe('opus');
  const packets: Buffer[] = [];
  for await (const packet of new EncodedPacketSink(track!).packets()) packets.push(Buffer.from(packet.data));
  return packets;
}

describe('voice notes', () => {
  it('remuxes Chromium’s WebM Opus into Ogg Opus without re-encoding a single packet', async () => {
    const webm = chromiumVoiceNote();
    const { bytes, durationMs } = await voiceNoteAsOgg(webm);
    expect(bytes.subarray(0, 4).toString('latin1')).toBe('OggS');
    expect(bytes.includes('OpusHead', 0, 'latin1')).toBe(true);
    expect(durationMs).toBeGreaterThan(1300);
    expect(durationMs).toBeLessThan(1800);
    const before = await opusPackets(webm, WEBM);
    const after = await opusPackets(bytes, OGG);
    expect(after.length).toBe(before.length);
    expect(after.every((packet, i) => packet.equals(before[i]!))).toBe(true);
  });

  it('keeps an Ogg Opus recording (Firefox’s) as it is', async () => {
    const { bytes: ogg } = await voiceNoteAsOgg(chromiumVoiceNote());
    const again = await voiceNoteAsOgg(ogg);
    expect(again.bytes.equals(ogg)).toBe(true);
  });

  it('refuses what is not an Opus recording', async () => {
    await expect(voiceNoteAsOgg(Buffer.from('ID3 an mp3, not a recording'))).rejects.toBeInstanceOf(
      NotAVoiceNote,
    );
  });
});

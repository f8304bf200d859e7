import {
  ALL_FORMATS,
  BufferSource,
  BufferTarget,
  Conversion,
  Input,
  OGG,
  OggOutputFormat,
  Output,
  WEBM,
} from 'mediabunny';

/** What WhatsApp shows as a voice message (Meta, "Audio messages"): Ogg with the Opus codec. */
export const voiceMimeType = 'audio/ogg; codecs=opus';

/** Containers a recorded voice note may arrive in: Chromium's MediaRecorder writes WebM only, Firefox Ogg. */
export const voiceUploadTypes = ['audio/ogg', 'audio/webm'] as const;

export class NotAVoiceNote extends Error {
  override name = 'NotAVoiceNote';
}

/**
 * A recorded voice note as WhatsApp wants it: Ogg Opus, and how long it plays. Chromium's
 * MediaRecorder records only audio/webm;codecs=opus; the Opus packets are the same in both
 * containers, so WebM is remuxed into Ogg without re-encoding (mediabunny's Conversion copies
 * packets when the output format takes the codec). Anything that is not Opus is refused.
 */
export async function voiceNoteAsOgg(
  bytes: Uint8Array,
): Promise<{ bytes: Buffer; durationMs: number | null }> {
  const input = new Input({ source: new BufferSource(bytes), formats: [OGG, WEBM] });
  let format;
  let codec;
  try {
    format = await input.getFormat();
    codec = (await input.getPrimaryAudioTrack())?.codec;
  } catch {
    throw new NotAVoiceNote('A voice message must be an Ogg or WebM recording.');
  }
  if (codec !== 'opus') throw new NotAVoiceNote('A voice message must be recorded with the Opus codec.');
  if (format === OGG) return { bytes: Buffer.from(bytes), durationMs: await durationOf(input) };
  const output = new Output({ format: new OggOutputFormat(), target: new BufferTarget() });
  const conversion = await Conversion.init({ input, output });
  if (!conversion.isValid) throw new NotAVoiceNote('This recording cannot be turned into a voice message.');
  await conversion.execute();
  const ogg = Buffer.from(output.target.buffer ?? new ArrayBuffer(0));
  return {
    bytes: ogg,
    durationMs: await durationOf(new Input({ source: new BufferSource(ogg), formats: [OGG] })),
  };
}

async function durationOf(input: Input): Promise<number | null> {
  try {
    const seconds = await input.computeDuration();
    return Number.isFinite(seconds) && seconds >= 0 ? Math.round(seconds * 1000) : null;
  } catch {
    return null;
  }
}

/** How long an audio or video file plays, read from its container; null when it cannot be read (AMR, damage). */
export function mediaDurationMs(bytes: Uint8Array): Promise<number | null> {
  return durationOf(new Input({ source: new BufferSource(bytes), formats: ALL_FORMATS }));
}

import { ActionIcon, Tooltip } from '@mantine/core';
import { useRef, useState } from 'react';
import { MicIcon, PaperclipIcon } from './icons.tsx';

/**
 * The container to record a voice note in: Ogg Opus where the browser can (Firefox), else WebM Opus
 * (Chromium records only that), which the server remuxes into the Ogg Opus WhatsApp shows as a voice
 * message (server/domains/media/voice.ts) — the Opus audio itself is never re-encoded.
 */
export function voiceRecordingType(): string | null {
  if (typeof MediaRecorder === 'undefined') return null;
  return (
    ['audio/ogg;codecs=opus', 'audio/webm;codecs=opus'].find((type) => MediaRecorder.isTypeSupported(type)) ??
    null
  );
}

/** Opens the file picker (several files; WhatsApp's types). */
export function AttachButton({
  onFiles,
  disabled,
}: {
  onFiles: (files: File[]) => void;
  disabled?: boolean;
}) {
  const input = useRef<HTMLInputElement>(null);
  return (
    <>
      <input
        ref={input}
        type="file"
        multiple
        hidden
        data-testid="attach-input"
        accept="image/jpeg,image/png,image/webp,video/mp4,video/3gpp,audio/*,application/pdf,text/plain,.doc,.docx,.xls,.xlsx,.ppt,.pptx"
        onChange={(event) => {
          onFiles([...(event.currentTarget.files ?? [])]);
          event.currentTarget.value = '';
        }}
      />
      <Tooltip label="Attach files (or paste, or drop them here)">
        <ActionIcon
          variant="default"
          size="lg"
          aria-label="Attach files"
          disabled={disabled}
          onClick={() => input.current?.click()}
        >
          <PaperclipIcon />
        </ActionIcon>
      </Tooltip>
    </>
  );
}

/** Records a voice message with the browser's MediaRecorder (Opus), attached when recording stops. */
export function RecordVoiceButton({
  onRecorded,
  disabled,
}: {
  onRecorded: (file: File) => void;
  disabled?: boolean;
}) {
  const [recorder, setRecorder] = useState<MediaRecorder | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const type = voiceRecordingType();
  const start = async () => {
    if (!type) return;
    try {
      const stream = await navigator.mediaDevices.getUserMedia({ audio: true });
      const next = new MediaRecorder(stream, { mimeType: type });
      const chunks: Blob[] = [];
      next.ondataavailable = (event) => chunks.push(event.data);
      next.onstop = () => {
        for (const track of stream.getTracks()) track.stop();
        const extension = type.startsWith('audio/ogg') ? 'ogg' : 'webm';
        onRecorded(new File(chunks, `voice-${Date.now()}.${extension}`, { type: type.replace(';', '; ') }));
        setRecorder(null);
      };
      next.start();
      setRecorder(next);
      setProblem(null);
    } catch (error) {
      setProblem(error instanceof Error ? error.message : 'The microphone is not available.');
    }
  };
  const label = !type
    ? 'This browser cannot record Opus audio; attach an audio file instead'
    : recorder
      ? 'Stop and attach the voice message'
      : (problem ?? 'Record a voice message');
  return (
    <Tooltip label={label}>
      <ActionIcon
        variant={recorder ? 'filled' : 'default'}
        color={recorder ? 'red' : undefined}
        size="lg"
        aria-label={recorder ? 'Stop recording' : 'Record a voice message'}
        disabled={disabled || !type}
        onClick={() => (recorder ? recorder.stop() : void start())}
      >
        <MicIcon />
      </ActionIcon>
    </Tooltip>
  );
}

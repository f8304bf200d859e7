import { ActionIcon, Tooltip } from '@mantine/core';
import { useRef, useState } from 'react';
import { MicIcon, PaperclipIcon } from './icons.tsx';

/** What WhatsApp shows as a voice message: Ogg with the Opus codec. */
export const voiceMimeType = 'audio/ogg; codecs=opus';

const canRecordVoice = () =>
  typeof MediaRecorder !== 'undefined' && MediaRecorder.isTypeSupported('audio/ogg;codecs=opus');

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

/**
 * Records a voice message straight as Ogg Opus with the browser's MediaRecorder (Firefox records Ogg;
 * Chromium only WebM, which WhatsApp would not show as a voice message, so there the button says so).
 */
export function RecordVoiceButton({
  onRecorded,
  disabled,
}: {
  onRecorded: (file: File) => void;
  disabled?: boolean;
}) {
  const [recorder, setRecorder] = useState<MediaRecorder | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const supported = canRecordVoice();
  const start = async () => {
    try {
      const stream = await navigator.mediaDevices.getUserMedia({ audio: true });
      const next = new MediaRecorder(stream, { mimeType: 'audio/ogg;codecs=opus' });
      const chunks: Blob[] = [];
      next.ondataavailable = (event) => chunks.push(event.data);
      next.onstop = () => {
        for (const track of stream.getTracks()) track.stop();
        onRecorded(new File(chunks, `voice-${Date.now()}.ogg`, { type: voiceMimeType }));
        setRecorder(null);
      };
      next.start();
      setRecorder(next);
      setProblem(null);
    } catch (error) {
      setProblem(error instanceof Error ? error.message : 'The microphone is not available.');
    }
  };
  const label = !supported
    ? 'This browser cannot record Ogg Opus voice messages (Firefox can); attach an audio file instead'
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
        disabled={disabled || !supported}
        onClick={() => (recorder ? recorder.stop() : void start())}
      >
        <MicIcon />
      </ActionIcon>
    </Tooltip>
  );
}

import { Anchor, Group, Image, Loader, Paper, Stack, Text, UnstyledButton } from '@mantine/core';
import { useState } from 'react';
import type { Message } from '../types.ts';
import { formatBytes, formatDuration, kindLabels, mediaUrl, thumbnailUrl } from './format.ts';
import { FileIcon } from './icons.tsx';
import { Lightbox } from './Lightbox.tsx';

type Media = NonNullable<Message['media']>;

/**
 * A voice note or audio file: the browser's player (seeking uses Range requests) and its length, as
 * read from the file when it was stored (or from the player once it has loaded, for files it could not read).
 */
function AudioPlayer({ media }: { media: Media }) {
  const [loaded, setLoaded] = useState<number | null>(null);
  const duration = media.durationMs !== null ? media.durationMs / 1000 : loaded;
  const length = duration !== null ? formatDuration(duration) : '';
  return (
    <Stack gap={2}>
      <Text size="xs" c="dimmed" data-testid="media-audio-label">
        {media.voice ? 'Voice message' : 'Audio'}
        {length ? ` · ${length}` : ''}
      </Text>
      <audio
        controls
        preload="metadata"
        src={mediaUrl(media.id)}
        style={{ width: 260, maxWidth: '100%' }}
        data-testid="media-audio"
        onLoadedMetadata={(event) => setLoaded(event.currentTarget.duration)}
      />
    </Stack>
  );
}

/**
 * The file of a media message in its bubble: image thumbnails (the full image in a lightbox), video
 * and audio players, documents with name, size and download, stickers; a placeholder with the type
 * while it is still downloading from WhatsApp, and a notice when it is unavailable.
 */
export function MediaContent({ message }: { message: Message }) {
  const [open, setOpen] = useState<string | null>(null);
  const media = message.media;
  if (!media) return null;
  const label = kindLabels[media.kind];
  if (media.status === 'pending') {
    return (
      <Paper withBorder p="sm" radius="sm" data-testid="media-pending" w={220} maw="100%">
        <Group gap="xs" wrap="nowrap">
          <Loader size="xs" />
          <Text size="sm" c="dimmed">
            {label} downloading…
          </Text>
        </Group>
      </Paper>
    );
  }
  if (media.status === 'unavailable') {
    return (
      <Paper withBorder p="sm" radius="sm" data-testid="media-unavailable" maw={300}>
        <Text size="sm" fw={500}>
          {label} unavailable
        </Text>
        {media.unavailableReason && (
          <Text size="xs" c="dimmed">
            {media.unavailableReason}
          </Text>
        )}
      </Paper>
    );
  }
  switch (media.kind) {
    case 'image':
      return (
        <>
          <UnstyledButton
            onClick={() => setOpen(media.id)}
            aria-label={`Open image${message.body ? `: ${message.body}` : ''}`}
          >
            <Image
              src={media.hasThumbnail ? thumbnailUrl(media.id) : mediaUrl(media.id)}
              alt={message.body ?? 'Image'}
              w={240}
              maw="100%"
              mah={320}
              fit="contain"
              radius="sm"
              loading="lazy"
              data-testid="media-image"
            />
          </UnstyledButton>
          <Lightbox mediaId={open} caption={message.body} onClose={() => setOpen(null)} />
        </>
      );
    case 'sticker':
      return (
        <Image
          src={media.hasThumbnail ? thumbnailUrl(media.id) : mediaUrl(media.id)}
          alt="Sticker"
          w={128}
          h={128}
          fit="contain"
          loading="lazy"
          data-testid="media-sticker"
        />
      );
    case 'video':
      return (
        <video
          controls
          preload="metadata"
          src={mediaUrl(media.id)}
          style={{ width: 280, maxWidth: '100%', borderRadius: 4 }}
          data-testid="media-video"
        />
      );
    case 'audio':
      return <AudioPlayer media={media} />;
    case 'document':
      return (
        <Paper withBorder p="xs" radius="sm" data-testid="media-document" maw={300}>
          <Group gap="xs" wrap="nowrap">
            <FileIcon />
            <Stack gap={0} miw={0} flex={1}>
              <Text size="sm" fw={500} truncate>
                {media.filename ?? 'Document'}
              </Text>
              <Text size="xs" c="dimmed">
                {formatBytes(media.byteSize)}
              </Text>
            </Stack>
            <Anchor href={mediaUrl(media.id)} download={media.filename ?? true} size="sm">
              Download
            </Anchor>
          </Group>
        </Paper>
      );
  }
}

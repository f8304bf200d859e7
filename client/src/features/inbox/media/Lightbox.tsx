import { Anchor, Group, Image, Modal } from '@mantine/core';
import { mediaUrl } from './format.ts';

/** The full image over the thread, with a link to download it. */
export function Lightbox({
  mediaId,
  caption,
  onClose,
}: {
  mediaId: string | null;
  caption?: string | null;
  onClose: () => void;
}) {
  return (
    <Modal
      opened={mediaId !== null}
      onClose={onClose}
      size="auto"
      centered
      title={caption ?? 'Image'}
      data-testid="lightbox"
    >
      {mediaId && (
        <>
          <Image src={mediaUrl(mediaId)} alt={caption ?? 'Image'} mah="75vh" maw="90vw" fit="contain" />
          <Group justify="flex-end" mt="xs">
            <Anchor href={mediaUrl(mediaId)} download size="sm">
              Download
            </Anchor>
          </Group>
        </>
      )}
    </Modal>
  );
}

import { Button, Modal } from '@mantine/core';
import { useState } from 'react';
import { TemplatePicker } from './TemplatePicker.tsx';

/**
 * The composer's template slot: with the 24-hour window closed the picker is shown at once (templates
 * are all that can be sent); with it open, a "Template" button opens the picker in a dialog.
 */
export function TemplateSlot({
  conversationId,
  phoneNumberId,
  windowOpen,
}: {
  conversationId: string;
  phoneNumberId: string;
  windowOpen: boolean;
}) {
  const [open, setOpen] = useState(false);
  if (!windowOpen) return <TemplatePicker conversationId={conversationId} phoneNumberId={phoneNumberId} />;
  return (
    <>
      <Button size="compact-xs" variant="subtle" onClick={() => setOpen(true)} aria-expanded={open}>
        Template
      </Button>
      <Modal opened={open} onClose={() => setOpen(false)} title="Send a template" size="lg" centered>
        <TemplatePicker
          conversationId={conversationId}
          phoneNumberId={phoneNumberId}
          onSent={() => setOpen(false)}
        />
      </Modal>
    </>
  );
}

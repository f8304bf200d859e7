import { z } from 'zod';
import { text } from '../../trpc/text.ts';

/** Mantine's palette: a label's colour is one of these names, drawn in light and dark themes alike. */
export const labelColors = [
  'dark',
  'gray',
  'red',
  'pink',
  'grape',
  'violet',
  'indigo',
  'blue',
  'cyan',
  'teal',
  'green',
  'lime',
  'yellow',
  'orange',
] as const;
export const labelColor = z.enum(labelColors, { error: 'Pick one of the palette’s colours.' });

export const labelName = text({ min: 1, max: 40, tooShort: 'Label name is required.' });

/** The form and the procedures' input for a new or changed label. */
export const labelDraftSchema = z.object({ name: labelName, color: labelColor });

/** A workspace's label (label.list's rows). */
export const labelSchema = z.object({
  id: z.string(),
  name: z.string(),
  color: labelColor,
  /** How many conversations carry it. */
  conversations: z.number(),
});
export type Label = z.infer<typeof labelSchema>;

export const conversationLabelInput = z.object({ conversationId: z.uuid(), labelId: z.uuid() });

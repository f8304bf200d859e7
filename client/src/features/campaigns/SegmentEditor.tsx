import {
  ActionIcon,
  Button,
  Group,
  Paper,
  Select,
  SimpleGrid,
  Stack,
  TagsInput,
  Text,
  TextInput,
} from '@mantine/core';
import { useForm } from '@mantine/form';
import { useDebouncedValue } from '@mantine/hooks';
import { keepPreviousData } from '@tanstack/react-query';
import { segmentDraftSchema } from '../../../../server/domains/campaigns/schemas.ts';
import { FormError } from '../../components/FormError.tsx';
import { zodResolver } from '../../components/zodResolver.ts';
import { trpc, type RouterOutputs } from '../../trpc.ts';
import { AudienceCount } from './AudienceCount.tsx';
import { attributeOps, emptySegment, fromFilter, toFilter, type SegmentFormValues } from './segment-form.ts';
import type { ContactFilter } from '../../../../server/domains/contacts/schemas.ts';

type Segment = RouterOutputs['segment']['list'][number];

/**
 * Builds (or edits) a filter segment: conditions on tags, custom attributes, opt-in, country and last
 * inbound message, every one narrowing the audience, with the count of who it reaches now beside it.
 */
export function SegmentEditor({ segment, onDone }: { segment?: Segment; onDone: () => void }) {
  const utils = trpc.useUtils();
  const definitions = trpc.contactAttribute.list.useQuery();
  const types = Object.fromEntries((definitions.data ?? []).map((d) => [d.key, d.type]));
  const form = useForm<SegmentFormValues>({
    initialValues: segment ? fromFilter(segment.name, segment.filter as ContactFilter) : emptySegment,
    validate: (values) =>
      zodResolver(segmentDraftSchema)({ kind: 'filter', name: values.name, filter: toFilter(values, types) }),
  });
  const filter = toFilter(form.values, types);
  const [settled] = useDebouncedValue(filter, 300);
  const count = trpc.segment.preview.useQuery({ filter: settled }, { placeholderData: keepPreviousData });
  const done = async () => {
    await utils.segment.invalidate();
    onDone();
  };
  const create = trpc.segment.create.useMutation({ onSuccess: done });
  const update = trpc.segment.update.useMutation({ onSuccess: done });
  const saving = create.isPending || update.isPending;
  const submit = form.onSubmit((values) => {
    const next = toFilter(values, types);
    if (segment) update.mutate({ id: segment.id, name: values.name, filter: next });
    else create.mutate({ kind: 'filter', name: values.name, filter: next });
  });
  const attributeChoices = (definitions.data ?? []).map((d) => ({ value: d.key, label: d.label }));
  return (
    <Paper withBorder p="md" component="form" onSubmit={submit} data-testid="segment-editor">
      <Stack gap="sm">
        <TextInput label="Audience name" {...form.getInputProps('name')} />
        <Text size="sm" c="dimmed">
          Every condition narrows the audience. Opted-out contacts and numbers not on WhatsApp are always left
          out.
        </Text>
        <SimpleGrid cols={{ base: 1, sm: 3 }}>
          <TagsInput label="Has any of these tags" {...form.getInputProps('tagsAny')} />
          <TagsInput label="Has every one of these tags" {...form.getInputProps('tagsAll')} />
          <TagsInput label="Has none of these tags" {...form.getInputProps('tagsNone')} />
        </SimpleGrid>
        <SimpleGrid cols={{ base: 1, sm: 2 }}>
          <TagsInput
            label="Country (two-letter codes)"
            placeholder="DE, BR…"
            {...form.getInputProps('countries')}
            onChange={(value) =>
              form.setFieldValue(
                'countries',
                value.map((c) => c.trim().toUpperCase()),
              )
            }
          />
          <Select
            label="Opt-in"
            allowDeselect={false}
            data={[
              { value: 'any', label: 'Anyone not opted out' },
              { value: 'in', label: 'Opted in' },
              { value: 'notIn', label: 'Never opted in' },
            ]}
            {...form.getInputProps('optedIn')}
          />
          <TextInput
            type="datetime-local"
            label="Wrote to us since"
            {...form.getInputProps('lastInboundAfter')}
          />
          <TextInput
            type="datetime-local"
            label="Has not written since"
            {...form.getInputProps('lastInboundBefore')}
          />
        </SimpleGrid>
        <Stack gap={6}>
          <Text size="sm" fw={500}>
            Custom attributes
          </Text>
          {form.values.attributes.map((row, index) => (
            <Group key={index} gap="xs" align="flex-end" wrap="wrap">
              <Select
                aria-label={`Attribute ${index + 1}`}
                placeholder="Attribute"
                data={attributeChoices}
                w={160}
                {...form.getInputProps(`attributes.${index}.key`)}
              />
              <Select
                aria-label={`Condition ${index + 1}`}
                allowDeselect={false}
                data={attributeOps}
                w={200}
                {...form.getInputProps(`attributes.${index}.op`)}
              />
              {row.op !== 'set' && row.op !== 'notSet' && (
                <TextInput
                  aria-label={`Value ${index + 1}`}
                  placeholder={types[row.key] === 'date' ? 'YYYY-MM-DD' : 'Value'}
                  w={160}
                  {...form.getInputProps(`attributes.${index}.value`)}
                />
              )}
              <ActionIcon
                variant="subtle"
                color="red"
                size="lg"
                aria-label={`Remove condition ${index + 1}`}
                onClick={() => form.removeListItem('attributes', index)}
              >
                ×
              </ActionIcon>
            </Group>
          ))}
          <Group>
            <Button
              variant="light"
              size="compact-sm"
              disabled={attributeChoices.length === 0}
              onClick={() => form.insertListItem('attributes', { key: '', op: 'is', value: '' })}
            >
              Add attribute condition
            </Button>
            {attributeChoices.length === 0 && (
              <Text size="xs" c="dimmed">
                No custom attributes defined yet.
              </Text>
            )}
          </Group>
        </Stack>
        {count.error ? (
          <FormError error={count.error} />
        ) : (
          <AudienceCount count={count.data} loading={count.isFetching} />
        )}
        {(form.errors.filter ?? form.errors.form) && (
          <Text c="red" size="sm" role="alert">
            {form.errors.filter ?? form.errors.form}
          </Text>
        )}
        <FormError error={create.error ?? update.error} shownFields={['name']} />
        <Group justify="flex-end">
          <Button variant="default" onClick={onDone}>
            Cancel
          </Button>
          <Button type="submit" loading={saving}>
            {segment ? 'Save audience' : 'Create audience'}
          </Button>
        </Group>
      </Stack>
    </Paper>
  );
}

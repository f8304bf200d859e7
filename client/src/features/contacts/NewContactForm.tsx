import { Button, Group, Stack, TagsInput, Text, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useNavigate } from 'react-router';
import { normalisePhone } from '../../../../server/domains/contacts/phone.ts';
import { createContactSchema } from '../../../../server/domains/contacts/schemas.ts';
import { fieldErrors } from '../../components/errors.ts';
import { FormError } from '../../components/FormError.tsx';
import { zodResolver } from '../../components/zodResolver.ts';
import { trpc, type RouterInputs } from '../../trpc.ts';
import { countryName } from './countries.ts';

type Draft = RouterInputs['contact']['create'];

/**
 * Adds a contact by hand. The number is read as the server reads it (libphonenumber-js with the
 * workspace's default country), and the form shows the result while it is typed.
 */
export function NewContactForm({ onDone }: { onDone: () => void }) {
  const utils = trpc.useUtils();
  const navigate = useNavigate();
  const defaultCountry = trpc.contactSettings.get.useQuery().data?.defaultCountry ?? null;
  const form = useForm<Draft>({
    initialValues: { phone: '', name: null, email: null, tags: [] },
    validate: zodResolver(createContactSchema),
    transformValues: (values) => ({
      ...values,
      name: values.name?.trim() ? values.name : null,
      email: values.email?.trim() ? values.email.trim() : null,
    }),
  });
  const create = trpc.contact.create.useMutation({
    onSuccess: (contact) => {
      void utils.contact.list.invalidate();
      void utils.contact.count.invalidate();
      onDone();
      void navigate(`/contacts/${contact.id}`);
    },
    onError: (error) => form.setErrors(fieldErrors(error)),
  });
  const normalised = form.values.phone.trim() ? normalisePhone(form.values.phone, defaultCountry) : null;
  return (
    <form noValidate onSubmit={form.onSubmit((values) => create.mutate(values))}>
      <Stack gap="sm">
        <TextInput
          label="Phone number"
          required
          autoFocus
          description={
            defaultCountry
              ? `Numbers without a country code are read as ${countryName(defaultCountry)}.`
              : 'Write the country code (+49…); no default country is set.'
          }
          {...form.getInputProps('phone')}
        />
        {normalised && (
          <Text size="sm" c={'error' in normalised ? 'orange' : 'dimmed'} data-testid="phone-normalised">
            {'error' in normalised
              ? normalised.error
              : `Saved as +${normalised.waId}${normalised.country ? ` (${countryName(normalised.country)})` : ''}`}
          </Text>
        )}
        <TextInput
          label="Name"
          {...form.getInputProps('name')}
          value={form.values.name ?? ''}
          onChange={(e) => form.setFieldValue('name', e.currentTarget.value)}
        />
        <TextInput
          label="Email"
          type="email"
          {...form.getInputProps('email')}
          value={form.values.email ?? ''}
          onChange={(e) => form.setFieldValue('email', e.currentTarget.value)}
        />
        <TagsInput label="Tags" {...form.getInputProps('tags')} />
        <TextInput
          label="Opted in (where the consent came from)"
          placeholder="web form, in store… (leave empty if not opted in)"
          value={form.values.optInSource ?? ''}
          onChange={(e) =>
            form.setFieldValue(
              'optInSource',
              e.currentTarget.value.trim() ? e.currentTarget.value : undefined,
            )
          }
        />
        <FormError error={create.error} shownFields={['phone', 'name', 'email', 'tags', 'optInSource']} />
        <Group justify="flex-end">
          <Button variant="default" onClick={onDone}>
            Cancel
          </Button>
          <Button type="submit" loading={create.isPending}>
            Add contact
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

import {
  ActionIcon,
  Button,
  Group,
  Menu,
  Paper,
  Select,
  SimpleGrid,
  Stack,
  Text,
  Textarea,
  TextInput,
} from '@mantine/core';
import { useForm } from '@mantine/form';
import { useEffect } from 'react';
import { renderTemplate } from '../../../../server/domains/templates/render.ts';
import {
  buttonNames,
  graphTemplateBody,
  limits,
  templateDraftSchema,
  variablesOf,
  type TemplateButton,
  type TemplateDraftInput,
} from '../../../../server/domains/templates/schemas.ts';
import { fieldErrors } from '../../components/errors.ts';
import { FormError } from '../../components/FormError.tsx';
import { WhatsAppPreview } from '../../components/WhatsAppPreview.tsx';
import { nestedZodResolver } from '../../components/zodResolver.ts';
import { trpc } from '../../trpc.ts';

type Draft = Required<Pick<TemplateDraftInput, 'header' | 'examples' | 'buttons'>> & TemplateDraftInput;

const languages = [
  ['en_US', 'English (US)'],
  ['en_GB', 'English (UK)'],
  ['de', 'German'],
  ['fr', 'French'],
  ['es', 'Spanish'],
  ['it', 'Italian'],
  ['nl', 'Dutch'],
  ['pt_BR', 'Portuguese (BR)'],
  ['sv', 'Swedish'],
].map(([value, label]) => ({ value: value!, label: `${label} — ${value}` }));

const newButton: Record<TemplateButton['type'], TemplateButton> = {
  QUICK_REPLY: { type: 'QUICK_REPLY', text: '' },
  URL: { type: 'URL', text: '', url: 'https://' },
  PHONE_NUMBER: { type: 'PHONE_NUMBER', text: '', phoneNumber: '+' },
  COPY_CODE: { type: 'COPY_CODE', example: '' },
  FLOW: { type: 'FLOW', text: '', flowId: '' },
};

/** The draft as the customer would see it, variables shown with their examples (or as {{name}}). */
function previewOf(values: Draft) {
  try {
    const components = graphTemplateBody(values).components;
    const header = values.header;
    return renderTemplate(
      components,
      {
        body: values.examples,
        header: {
          ...(header.format === 'text' && header.example ? { text: header.example } : {}),
          ...(header.format !== 'text' && header.format !== 'none' && header.example
            ? { link: header.example }
            : {}),
        },
        buttons: Object.fromEntries(
          values.buttons.flatMap((button, index) =>
            button.type === 'URL' && button.example
              ? [[String(index), button.example.replace(button.url.replace('{{1}}', ''), '')]]
              : button.type === 'COPY_CODE'
                ? [[String(index), button.example]]
                : [],
          ),
        ),
      },
      (name) => `{{${name}}}`,
    );
  } catch {
    return { body: values.body, buttons: [] };
  }
}

function ButtonFields({
  form,
  index,
  button,
}: {
  form: Pick<ReturnType<typeof useForm<Draft>>, 'getInputProps' | 'removeListItem'>;
  index: number;
  button: TemplateButton;
}) {
  const path = `buttons.${index}`;
  return (
    <Paper withBorder p="xs" data-testid="builder-button">
      <Group align="flex-start" wrap="wrap" gap="xs">
        <Text size="xs" fw={600} w={80} mt={8}>
          {buttonNames[button.type]}
        </Text>
        {'text' in button && (
          <TextInput
            size="xs"
            label="Label"
            maxLength={limits.buttonText}
            {...form.getInputProps(`${path}.text`)}
          />
        )}
        {button.type === 'URL' && (
          <>
            <TextInput
              size="xs"
              label="Address (may end with {{1}})"
              miw={220}
              {...form.getInputProps(`${path}.url`)}
            />
            {variablesOf(button.url).length > 0 && (
              <TextInput
                size="xs"
                label="Example address"
                miw={220}
                {...form.getInputProps(`${path}.example`)}
              />
            )}
          </>
        )}
        {button.type === 'PHONE_NUMBER' && (
          <TextInput size="xs" label="Phone number" {...form.getInputProps(`${path}.phoneNumber`)} />
        )}
        {button.type === 'COPY_CODE' && (
          <TextInput size="xs" label="Example code" {...form.getInputProps(`${path}.example`)} />
        )}
        {button.type === 'FLOW' && (
          <TextInput size="xs" label="Flow id" {...form.getInputProps(`${path}.flowId`)} />
        )}
        <ActionIcon
          variant="subtle"
          color="red"
          mt={24}
          aria-label={`Remove ${buttonNames[button.type]} button`}
          onClick={() => form.removeListItem('buttons', index)}
        >
          ×
        </ActionIcon>
      </Group>
    </Paper>
  );
}

/**
 * The template builder: Meta's rules are checked as the agent types (the server's schema), the
 * preview shows the message as the customer will see it, and Meta's answer follows on the list.
 */
export function TemplateBuilder({ onDone }: { onDone: () => void }) {
  const utils = trpc.useUtils();
  const channels = trpc.channel.list.useQuery();
  const form = useForm<Draft>({
    initialValues: {
      channelId: '',
      name: '',
      language: 'en_US',
      category: 'UTILITY',
      header: { format: 'none' },
      body: '',
      examples: {},
      footer: '',
      buttons: [],
    },
    validate: nestedZodResolver(templateDraftSchema),
  });
  const firstChannel = channels.data?.[0]?.id;
  useEffect(() => {
    if (firstChannel && !form.getValues().channelId) form.setFieldValue('channelId', firstChannel);
  }, [firstChannel, form]);
  const create = trpc.template.create.useMutation({
    onSuccess: () => {
      void utils.template.list.invalidate();
      onDone();
    },
    onError: (error) => form.setErrors(fieldErrors(error)),
  });
  const values = form.getValues();
  const bodyVariables = variablesOf(values.body);
  const header = values.header;
  return (
    <Paper withBorder p="md" data-testid="template-builder">
      <form
        noValidate
        onSubmit={form.onSubmit((draft) =>
          create.mutate({ ...draft, footer: draft.footer?.trim() ? draft.footer : undefined }),
        )}
      >
        <SimpleGrid cols={{ base: 1, md: 2 }} spacing="lg">
          <Stack gap="sm">
            <Group grow wrap="wrap" align="flex-start">
              <TextInput
                label="Name"
                description="Lowercase letters, digits and underscores"
                required
                {...form.getInputProps('name')}
              />
              <Select
                label="Language"
                data={languages}
                searchable
                allowDeselect={false}
                {...form.getInputProps('language')}
              />
            </Group>
            <Group grow wrap="wrap" align="flex-start">
              <Select
                label="Category"
                data={[
                  { value: 'UTILITY', label: 'Utility' },
                  { value: 'MARKETING', label: 'Marketing' },
                  { value: 'AUTHENTICATION', label: 'Authentication' },
                ]}
                allowDeselect={false}
                {...form.getInputProps('category')}
              />
              <Select
                label="WhatsApp account"
                data={(channels.data ?? []).map((c) => ({ value: c.id, label: c.name }))}
                allowDeselect={false}
                {...form.getInputProps('channelId')}
              />
            </Group>
            <Select
              label="Header"
              data={[
                { value: 'none', label: 'No header' },
                { value: 'text', label: 'Text' },
                { value: 'image', label: 'Image' },
                { value: 'video', label: 'Video' },
                { value: 'document', label: 'Document' },
              ]}
              allowDeselect={false}
              value={header.format}
              onChange={(format) =>
                form.setFieldValue(
                  'header',
                  format === 'text'
                    ? { format: 'text', text: '' }
                    : format === 'none' || !format
                      ? { format: 'none' }
                      : { format: format as 'image', example: '' },
                )
              }
              error={
                form.errors.header && !form.errors['header.text'] && !form.errors['header.example']
                  ? form.errors.header
                  : undefined
              }
            />
            {header.format === 'text' && (
              <Group grow wrap="wrap" align="flex-start">
                <TextInput
                  label="Header text"
                  maxLength={limits.headerText}
                  {...form.getInputProps('header.text')}
                />
                {variablesOf(header.text).length > 0 && (
                  <TextInput label="Header example" {...form.getInputProps('header.example')} />
                )}
              </Group>
            )}
            {header.format !== 'none' && header.format !== 'text' && (
              <TextInput
                label={`Sample ${header.format} address`}
                placeholder="https://…"
                {...form.getInputProps('header.example')}
              />
            )}
            <Textarea
              label="Body"
              description="Variables: {{1}}, {{2}} … or named, like {{first_name}}. *bold*, _italic_, ~strike~."
              autosize
              minRows={3}
              required
              {...form.getInputProps('body')}
            />
            {bodyVariables.length > 0 && (
              <Group grow wrap="wrap" align="flex-start">
                {bodyVariables.map((name) => (
                  <TextInput
                    key={name}
                    label={`Example for {{${name}}}`}
                    {...form.getInputProps(`examples.${name}`)}
                  />
                ))}
              </Group>
            )}
            <TextInput
              label="Footer (optional)"
              maxLength={limits.footer}
              {...form.getInputProps('footer')}
            />
            <Stack gap={6}>
              <Group justify="space-between">
                <Text size="sm" fw={500}>
                  Buttons
                </Text>
                <Menu>
                  <Menu.Target>
                    <Button
                      size="compact-sm"
                      variant="light"
                      disabled={values.buttons.length >= limits.buttons}
                    >
                      Add button
                    </Button>
                  </Menu.Target>
                  <Menu.Dropdown>
                    {(Object.keys(newButton) as TemplateButton['type'][]).map((type) => (
                      <Menu.Item
                        key={type}
                        onClick={() => form.insertListItem('buttons', { ...newButton[type] })}
                      >
                        {buttonNames[type]}
                      </Menu.Item>
                    ))}
                  </Menu.Dropdown>
                </Menu>
              </Group>
              {values.buttons.map((button, index) => (
                <ButtonFields key={index} form={form} index={index} button={button} />
              ))}
              {form.errors.buttons && (
                <Text size="xs" c="red">
                  {form.errors.buttons}
                </Text>
              )}
            </Stack>
          </Stack>
          <Stack>
            <WhatsAppPreview view={previewOf(values)} />
            <Text size="xs" c="dimmed">
              Meta reviews every new template, usually within minutes; its decision (and the reason for a
              rejection) appears in the list.
            </Text>
          </Stack>
        </SimpleGrid>
        <FormError
          error={create.error}
          shownFields={['name', 'language', 'category', 'channelId', 'body', 'footer']}
          mt="sm"
        />
        {form.errors.form && (
          <Text size="sm" c="red" mt="sm">
            {form.errors.form}
          </Text>
        )}
        <Group justify="flex-end" mt="md">
          <Button variant="default" onClick={onDone}>
            Cancel
          </Button>
          <Button type="submit" loading={create.isPending}>
            Submit for review
          </Button>
        </Group>
      </form>
    </Paper>
  );
}

import { Alert, Button, Group, Paper, Select, SimpleGrid, Stack, Text, TextInput } from '@mantine/core';
import { useState } from 'react';
import {
  renderTemplate,
  templateNeeds,
  valueProblems,
  type TemplateValues,
} from '../../../../../server/domains/templates/render.ts';
import { FormError } from '../../../components/FormError.tsx';
import { WhatsAppPreview } from '../../../components/WhatsAppPreview.tsx';
import { trpc } from '../../../trpc.ts';

const emptyValues = (): Required<{ [K in keyof TemplateValues]-?: Record<string, string> }> & {
  header: { text?: string; link?: string };
} => ({ body: {}, header: {}, buttons: {} });

/**
 * Sends an approved template: choose one, fill in its variables (and button values), check the
 * preview, send. The only way to write to a customer whose 24-hour window is closed.
 */
export function TemplatePicker({
  conversationId,
  phoneNumberId,
  onSent,
}: {
  conversationId: string;
  phoneNumberId: string;
  onSent?: () => void;
}) {
  const utils = trpc.useUtils();
  const templates = trpc.template.list.useQuery({ phoneNumberId, status: 'APPROVED' });
  const [chosen, setChosen] = useState<string | null>(null);
  const [values, setValues] = useState(emptyValues);
  const [tried, setTried] = useState(false);
  const template = templates.data?.find((t) => t.id === chosen);
  const send = trpc.message.sendTemplate.useMutation({
    onSuccess: () => {
      setChosen(null);
      setValues(emptyValues());
      setTried(false);
      void utils.message.list.invalidate({ conversationId });
      void utils.conversation.list.invalidate();
      onSent?.();
    },
  });
  const needs = template ? templateNeeds(template.components) : undefined;
  const problems = template ? valueProblems(template.components, values) : [];
  const set = (part: 'body' | 'buttons', key: string, value: string) =>
    setValues((current) => ({ ...current, [part]: { ...current[part], [key]: value } }));

  return (
    <Paper withBorder p="sm" data-testid="template-picker">
      <Stack gap="sm">
        <Select
          label="Template"
          placeholder={templates.data?.length === 0 ? 'No approved templates' : 'Choose an approved template'}
          data={(templates.data ?? []).map((t) => ({ value: t.id, label: `${t.name} (${t.language})` }))}
          value={chosen}
          onChange={(id) => {
            setChosen(id);
            setValues(emptyValues());
            setTried(false);
          }}
          searchable
          nothingFoundMessage="No approved template matches"
        />
        {template && needs && (
          <SimpleGrid cols={{ base: 1, sm: 2 }}>
            <Stack gap="xs">
              {needs.headerVariables.map((name) => (
                <TextInput
                  key={`header-${name}`}
                  label={`Header {{${name}}}`}
                  value={values.header.text ?? ''}
                  onChange={(e) => {
                    const text = e.currentTarget.value;
                    setValues((current) => ({ ...current, header: { ...current.header, text } }));
                  }}
                />
              ))}
              {needs.headerMedia && (
                <TextInput
                  label={`Header ${needs.headerFormat?.toLowerCase()} (https address)`}
                  value={values.header.link ?? ''}
                  onChange={(e) => {
                    const link = e.currentTarget.value;
                    setValues((current) => ({ ...current, header: { ...current.header, link } }));
                  }}
                />
              )}
              {needs.bodyVariables.map((name) => (
                <TextInput
                  key={name}
                  label={`{{${name}}}`}
                  value={values.body[name] ?? ''}
                  onChange={(e) => set('body', name, e.currentTarget.value)}
                />
              ))}
              {needs.buttonInputs.map((input) => (
                <TextInput
                  key={input.index}
                  label={input.type === 'URL' ? `End of the "${input.label}" address` : 'Code to copy'}
                  value={values.buttons[String(input.index)] ?? ''}
                  onChange={(e) => set('buttons', String(input.index), e.currentTarget.value)}
                />
              ))}
              {needs.bodyVariables.length + needs.headerVariables.length + needs.buttonInputs.length === 0 &&
                !needs.headerMedia && (
                  <Text size="sm" c="dimmed">
                    This template has nothing to fill in.
                  </Text>
                )}
            </Stack>
            <WhatsAppPreview
              view={renderTemplate(template.components, values)}
              title="The customer will see"
            />
          </SimpleGrid>
        )}
        {tried && problems.length > 0 && (
          <Alert color="red" role="alert">
            {problems.join(' ')}
          </Alert>
        )}
        <FormError error={send.error} />
        <Group justify="flex-end">
          <Button
            disabled={!template}
            loading={send.isPending}
            onClick={() => {
              setTried(true);
              if (!template || problems.length > 0) return;
              send.mutate({ conversationId, name: template.name, language: template.language, values });
            }}
          >
            Send template
          </Button>
        </Group>
      </Stack>
    </Paper>
  );
}

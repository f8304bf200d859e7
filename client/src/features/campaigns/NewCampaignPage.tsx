import {
  Alert,
  Anchor,
  Box,
  Button,
  Checkbox,
  Group,
  NumberInput,
  Paper,
  SegmentedControl,
  Select,
  SimpleGrid,
  Stack,
  Stepper,
  Switch,
  Table,
  Text,
  TextInput,
} from '@mantine/core';
import { useForm } from '@mantine/form';
import { useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { campaignDraftSchema, type CampaignDraft } from '../../../../server/domains/campaigns/schemas.ts';
import { resolveValues } from '../../../../server/domains/campaigns/values.ts';
import { renderTemplate, templateNeeds } from '../../../../server/domains/templates/render.ts';
import { FormError } from '../../components/FormError.tsx';
import { PageHeader } from '../../components/PageHeader.tsx';
import { WhatsAppPreview } from '../../components/WhatsAppPreview.tsx';
import { nestedZodResolver } from '../../components/zodResolver.ts';
import { trpc, type RouterOutputs } from '../../trpc.ts';
import { AudienceCount } from './AudienceCount.tsx';
import { duration, effectiveRate, minuteLabel } from './campaign-view.ts';

type Source = CampaignDraft['variables']['body'][string];
type Contact = RouterOutputs['contact']['list']['items'][number];

/** The wizard's values: the draft's fields, with the schedule and window as the inputs hold them. */
interface WizardValues {
  name: string;
  segmentId: string;
  includeNotOnWhatsApp: boolean;
  phoneNumberId: string;
  templateId: string;
  body: Record<string, Source>;
  header: Source | null;
  buttons: Record<string, Source>;
  headerMediaUrl: string;
  when: 'now' | 'later';
  /** datetime-local, in the workspace's time zone. */
  scheduledAt: string;
  windowOn: boolean;
  windowStart: string;
  windowEnd: string;
  maxRate: number | '';
}

const sources: { value: Source['source']; label: string }[] = [
  { value: 'first_name', label: 'First name' },
  { value: 'name', label: 'Full name' },
  { value: 'phone', label: 'Phone number' },
  { value: 'email', label: 'Email' },
  { value: 'country', label: 'Country' },
  { value: 'attribute', label: 'Custom attribute' },
  { value: 'text', label: 'Fixed text' },
];

const emptySource: Source = { source: 'first_name', value: '', fallback: '' };
const minutesOf = (time: string) => {
  const [h, m] = time.split(':').map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
};

/** The wizard's values as campaign.create takes them (what the zod schema checks). */
function toDraft(values: WizardValues): CampaignDraft {
  return {
    name: values.name,
    segmentId: values.segmentId,
    includeNotOnWhatsApp: values.includeNotOnWhatsApp,
    phoneNumberId: values.phoneNumberId,
    templateId: values.templateId,
    variables: {
      body: values.body,
      ...(values.header ? { header: values.header } : {}),
      buttons: values.buttons,
    },
    ...(values.headerMediaUrl.trim() ? { headerMediaUrl: values.headerMediaUrl.trim() } : {}),
    ...(values.when === 'later' ? { scheduledAt: values.scheduledAt } : {}),
    ...(values.windowOn
      ? {
          sendWindow: {
            startMinute: minutesOf(values.windowStart),
            endMinute: values.windowEnd === '00:00' ? 1440 : minutesOf(values.windowEnd),
          },
        }
      : {}),
    ...(values.maxRate !== '' ? { maxRate: values.maxRate } : {}),
  };
}

/** Which draft fields each step shows: Next checks only those. */
const stepFields: string[][] = [
  ['name', 'segmentId', 'includeNotOnWhatsApp'],
  ['phoneNumberId', 'templateId', 'variables', 'headerMediaUrl'],
  ['scheduledAt', 'sendWindow', 'maxRate'],
  [],
];

const sampleContact: Record<string, unknown> = {
  name: 'Maya Lindqvist',
  wa_id: '4915123456789',
  email: 'maya@example.com',
  country: 'DE',
  attributes: {},
};

/** A contact row (camelCase) as the runner reads contacts (to_jsonb, snake_case). */
const asRunnerContact = (contact: Contact): Record<string, unknown> => ({
  name: contact.name,
  wa_id: contact.waId,
  email: contact.email,
  country: contact.country,
  attributes: contact.attributes,
});

function SourceInput({
  label,
  value,
  onChange,
  attributes,
  error,
}: {
  label: string;
  value: Source;
  onChange: (next: Source) => void;
  attributes: { value: string; label: string }[];
  error?: string | undefined;
}) {
  return (
    <Group gap="xs" align="flex-end" wrap="wrap" data-testid="variable-mapping">
      <Select
        label={label}
        allowDeselect={false}
        data={sources}
        value={value.source}
        onChange={(source) => onChange({ ...value, source: source ?? 'text', value: '' })}
        w={170}
        error={error}
      />
      {value.source === 'text' && (
        <TextInput
          label={`Text for ${label}`}
          value={value.value}
          onChange={(event) => onChange({ ...value, value: event.currentTarget.value })}
          w={180}
        />
      )}
      {value.source === 'attribute' && (
        <Select
          label={`Attribute for ${label}`}
          data={attributes}
          value={value.value || null}
          onChange={(key) => onChange({ ...value, value: key ?? '' })}
          w={180}
        />
      )}
      {value.source !== 'text' && (
        <TextInput
          label={`Fallback for ${label}`}
          placeholder="When the contact has none"
          value={value.fallback}
          onChange={(event) => onChange({ ...value, fallback: event.currentTarget.value })}
          w={180}
        />
      )}
    </Group>
  );
}

/**
 * /campaigns/new: audience → number, template and variables (with a preview for a real recipient) →
 * schedule → review with the recipient count and how long it takes at the number's rate.
 */
export function NewCampaignPage() {
  const navigate = useNavigate();
  const utils = trpc.useUtils();
  const [step, setStep] = useState(0);
  const segments = trpc.segment.list.useQuery();
  const channels = trpc.channel.list.useQuery();
  const templates = trpc.template.list.useQuery({ status: 'APPROVED' });
  const attributes = trpc.contactAttribute.list.useQuery();
  const timeZone = trpc.campaign.timeZone.useQuery();
  const form = useForm<WizardValues>({
    initialValues: {
      name: '',
      segmentId: '',
      includeNotOnWhatsApp: false,
      phoneNumberId: '',
      templateId: '',
      body: {},
      header: null,
      buttons: {},
      headerMediaUrl: '',
      when: 'now',
      scheduledAt: '',
      windowOn: false,
      windowStart: '09:00',
      windowEnd: '20:00',
      maxRate: '',
    },
    validate: (values) => {
      const errors = nestedZodResolver(campaignDraftSchema)(toDraft(values));
      if (values.when === 'later' && !values.scheduledAt)
        errors.scheduledAt = 'Choose the date and time to send.';
      const shown = stepFields[step] ?? [];
      return Object.fromEntries(
        Object.entries(errors).filter(
          ([field]) => step === 3 || shown.some((f) => field.split('.')[0] === f),
        ),
      );
    },
  });
  const values = form.values;
  const segment = segments.data?.find((s) => s.id === values.segmentId);
  const count = trpc.segment.count.useQuery({ id: values.segmentId }, { enabled: Boolean(segment) });
  const sample = trpc.contact.list.useQuery(
    { filter: segment?.filter ?? {}, limit: 1 },
    { enabled: segment?.kind === 'filter' },
  );
  const numbers = (channels.data ?? []).flatMap((channel) =>
    channel.phoneNumbers.map((number) => ({ ...number, channelId: channel.id, channelName: channel.name })),
  );
  const number = numbers.find((n) => n.id === values.phoneNumberId);
  const usable = (templates.data ?? []).filter((t) => t.channelId === number?.channelId);
  const template = usable.find((t) => t.id === values.templateId);
  const needs = template ? templateNeeds(template.components) : null;
  const attributeChoices = (attributes.data ?? []).map((a) => ({ value: a.key, label: a.label }));

  const chooseTemplate = (id: string | null) => {
    const chosen = usable.find((t) => t.id === id);
    const next = chosen ? templateNeeds(chosen.components) : null;
    form.setValues({
      templateId: id ?? '',
      body: Object.fromEntries((next?.bodyVariables ?? []).map((name) => [name, { ...emptySource }])),
      header: next && next.headerVariables.length > 0 ? { ...emptySource } : null,
      buttons: Object.fromEntries(
        (next?.buttonInputs ?? []).map((b) => [String(b.index), { source: 'text', value: '', fallback: '' }]),
      ),
    });
  };

  const contact = sample.data?.items[0];
  const previewContact = contact ? asRunnerContact(contact) : sampleContact;
  const previewName = contact ? (contact.name ?? `+${contact.waId ?? ''}`) : 'Maya Lindqvist';
  const draft = toDraft(values);
  const preview = template
    ? renderTemplate(
        template.components,
        resolveValues(
          { body: draft.variables.body, buttons: draft.variables.buttons, header: draft.variables.header },
          previewContact,
          draft.headerMediaUrl ?? null,
        ),
      )
    : null;
  const rate = number ? effectiveRate(number.throughputMps, draft.maxRate) : 1;
  const recipients = count.data?.recipients ?? 0;

  const create = trpc.campaign.create.useMutation({
    onSuccess: async (campaign) => {
      await utils.campaign.list.invalidate();
      await navigate(`/campaigns/${campaign.id}`);
    },
  });
  const next = () => {
    if (!form.validate().hasErrors) setStep((s) => Math.min(3, s + 1));
  };
  const zone = timeZone.data?.timeZone ?? 'UTC';

  return (
    <Stack gap="md">
      <PageHeader title="New campaign">
        <Button variant="default" component={Link} to="/campaigns">
          Back to campaigns
        </Button>
      </PageHeader>
      <Stepper active={step} onStepClick={(s) => s < step && setStep(s)} size="sm" wrap>
        <Stepper.Step label="Audience">
          <Stack gap="sm" maw={640}>
            <TextInput label="Campaign name" {...form.getInputProps('name')} />
            <Select
              label="Audience"
              placeholder="Choose an audience"
              data={(segments.data ?? []).map((s) => ({
                value: s.id,
                label: s.kind === 'list' ? `${s.name} (uploaded list)` : s.name,
              }))}
              nothingFoundMessage="No audiences yet"
              {...form.getInputProps('segmentId')}
            />
            <Text size="xs">
              <Anchor component={Link} to="/segments">
                Build an audience or upload a list
              </Anchor>
            </Text>
            {segment && <AudienceCount count={count.data} loading={count.isFetching} />}
            <Checkbox
              label="Also send to numbers Meta reported as not on WhatsApp (131026)"
              {...form.getInputProps('includeNotOnWhatsApp', { type: 'checkbox' })}
            />
          </Stack>
        </Stepper.Step>
        <Stepper.Step label="Message">
          <SimpleGrid cols={{ base: 1, md: 2 }} spacing="lg">
            <Stack gap="sm">
              <Select
                label="Send from"
                placeholder="Choose a number"
                data={numbers.map((n) => ({
                  value: n.id,
                  label: `+${n.displayPhoneNumber.replace(/^\+/, '')} · ${n.verifiedName ?? n.channelName} (${n.throughputMps} msg/s)`,
                }))}
                {...form.getInputProps('phoneNumberId')}
                onChange={(id) => {
                  form.setFieldValue('phoneNumberId', typeof id === 'string' ? id : '');
                  chooseTemplate(null);
                }}
              />
              <Select
                label="Approved template"
                placeholder={number ? 'Choose a template' : 'Choose the number first'}
                disabled={!number}
                data={usable.map((t) => ({ value: t.id, label: `${t.name} (${t.language})` }))}
                nothingFoundMessage="No approved templates on this number's account"
                error={form.errors.templateId}
                value={values.templateId || null}
                onChange={chooseTemplate}
              />
              {needs?.headerMedia && (
                <TextInput
                  label={`Header ${needs.headerFormat?.toLowerCase()} (https address)`}
                  placeholder="https://…"
                  {...form.getInputProps('headerMediaUrl')}
                />
              )}
              {values.header && (
                <SourceInput
                  label="Header variable"
                  value={values.header}
                  onChange={(source) => form.setFieldValue('header', source)}
                  attributes={attributeChoices}
                />
              )}
              {Object.entries(values.body).map(([name, source]) => (
                <SourceInput
                  key={name}
                  label={`{{${name}}}`}
                  value={source}
                  onChange={(next) => form.setFieldValue(`body.${name}`, next)}
                  attributes={attributeChoices}
                  error={form.errors[`variables.body.${name}`] as string | undefined}
                />
              ))}
              {(needs?.buttonInputs ?? []).map((button) => (
                <SourceInput
                  key={button.index}
                  label={`Button “${button.label}”`}
                  value={values.buttons[String(button.index)] ?? { source: 'text', value: '', fallback: '' }}
                  onChange={(next) => form.setFieldValue(`buttons.${button.index}`, next)}
                  attributes={attributeChoices}
                />
              ))}
              {template && Object.keys(values.body).length === 0 && !values.header && (
                <Text size="sm" c="dimmed">
                  This template has no variables.
                </Text>
              )}
            </Stack>
            <Box>
              {preview ? (
                <Stack gap={4}>
                  <WhatsAppPreview view={preview} />
                  <Text size="xs" c="dimmed" data-testid="preview-contact">
                    As {previewName} would get it
                    {contact ? ' (a contact of this audience)' : ' (an example contact)'}.
                  </Text>
                </Stack>
              ) : (
                <Text size="sm" c="dimmed">
                  The message&apos;s preview shows here.
                </Text>
              )}
            </Box>
          </SimpleGrid>
        </Stepper.Step>
        <Stepper.Step label="Schedule">
          <Stack gap="sm" maw={640}>
            <SegmentedControl
              data={[
                { value: 'now', label: 'Send now' },
                { value: 'later', label: 'Send at a time' },
              ]}
              {...form.getInputProps('when')}
            />
            {values.when === 'later' && (
              <TextInput
                type="datetime-local"
                label={`Date and time (${zone})`}
                description={
                  <>
                    In the workspace&apos;s time zone,{' '}
                    <Anchor component={Link} to="/settings/time-zone" size="xs">
                      {zone}
                    </Anchor>
                    .
                  </>
                }
                {...form.getInputProps('scheduledAt')}
              />
            )}
            <Switch
              label="Send only within hours in each recipient's local time (where the country is known)"
              {...form.getInputProps('windowOn', { type: 'checkbox' })}
            />
            {values.windowOn && (
              <Group gap="xs" align="flex-end">
                <TextInput type="time" label="From" w={130} {...form.getInputProps('windowStart')} />
                <TextInput type="time" label="Until" w={130} {...form.getInputProps('windowEnd')} />
              </Group>
            )}
            {form.errors.sendWindow && (
              <Text c="red" size="sm">
                {form.errors.sendWindow}
              </Text>
            )}
            <NumberInput
              label="Maximum rate (messages a second, optional)"
              description={number ? `The number sends at most ${number.throughputMps} a second.` : undefined}
              min={1}
              max={1000}
              allowDecimal={false}
              w={320}
              {...form.getInputProps('maxRate')}
            />
          </Stack>
        </Stepper.Step>
        <Stepper.Step label="Review">
          <Paper withBorder p="md" maw={720}>
            <Table data-testid="campaign-review">
              <Table.Tbody>
                <Table.Tr>
                  <Table.Th w={160}>Campaign</Table.Th>
                  <Table.Td>{values.name}</Table.Td>
                </Table.Tr>
                <Table.Tr>
                  <Table.Th>Audience</Table.Th>
                  <Table.Td>
                    {segment?.name} ·{' '}
                    <span data-testid="review-recipients">{recipients.toLocaleString()}</span> recipients now
                  </Table.Td>
                </Table.Tr>
                <Table.Tr>
                  <Table.Th>From</Table.Th>
                  <Table.Td>{number ? `+${number.displayPhoneNumber.replace(/^\+/, '')}` : ''}</Table.Td>
                </Table.Tr>
                <Table.Tr>
                  <Table.Th>Template</Table.Th>
                  <Table.Td>{template ? `${template.name} (${template.language})` : ''}</Table.Td>
                </Table.Tr>
                <Table.Tr>
                  <Table.Th>When</Table.Th>
                  <Table.Td>
                    {values.when === 'now' ? 'At once' : `${values.scheduledAt.replace('T', ' ')} (${zone})`}
                    {draft.sendWindow
                      ? `, only ${minuteLabel(draft.sendWindow.startMinute)}–${minuteLabel(draft.sendWindow.endMinute % 1440)} recipient's time`
                      : ''}
                  </Table.Td>
                </Table.Tr>
                <Table.Tr>
                  <Table.Th>Duration</Table.Th>
                  <Table.Td data-testid="review-duration">
                    About {duration(recipients / rate)} at {rate} msg/s
                    {draft.sendWindow ? ', plus waits for the send window' : ''}
                  </Table.Td>
                </Table.Tr>
              </Table.Tbody>
            </Table>
            {recipients === 0 && (
              <Alert color="orange" mt="sm">
                This audience reaches nobody now.
              </Alert>
            )}
          </Paper>
        </Stepper.Step>
      </Stepper>
      {Object.keys(form.errors).length > 0 && step === 3 && (
        <Alert color="red" role="alert">
          {Object.values(form.errors)[0]}
        </Alert>
      )}
      <FormError error={create.error} />
      <Group>
        {step > 0 && (
          <Button variant="default" onClick={() => setStep((s) => s - 1)}>
            Back
          </Button>
        )}
        {step < 3 ? (
          <Button onClick={next}>Next</Button>
        ) : (
          <Button
            loading={create.isPending}
            onClick={() => {
              if (!form.validate().hasErrors) create.mutate(draft);
            }}
          >
            {values.when === 'now' ? 'Start campaign' : 'Schedule campaign'}
          </Button>
        )}
      </Group>
    </Stack>
  );
}

import { Button, Group, Select, Stack, Text } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useEffect, useMemo } from 'react';
import { z } from 'zod';
import { timeZoneSchema } from '../../../../server/domains/campaigns/schemas.ts';
import { FormError } from '../../components/FormError.tsx';
import { PageHeader } from '../../components/PageHeader.tsx';
import { zodResolver } from '../../components/zodResolver.ts';
import { trpc } from '../../trpc.ts';

const formSchema = z.object({ timeZone: timeZoneSchema });

/** Every IANA zone this browser knows (the server checks again), UTC first. */
export function timeZoneChoices(): string[] {
  const zones = Intl.supportedValuesOf('timeZone');
  return ['UTC', ...zones.filter((zone) => zone !== 'UTC')];
}

/** The time now in `zone`, as a member there reads it ("Tue 20:15"). */
export const localNow = (zone: string) =>
  new Intl.DateTimeFormat(undefined, {
    timeZone: zone,
    weekday: 'short',
    hour: '2-digit',
    minute: '2-digit',
  }).format(new Date());

/**
 * /settings/time-zone: the workspace's time zone, in which campaigns are scheduled ("send at 09:00"
 * means 09:00 there, whoever schedules it from wherever).
 */
export function TimeZonePage() {
  const utils = trpc.useUtils();
  const current = trpc.campaign.timeZone.useQuery();
  const zones = useMemo(timeZoneChoices, []);
  const form = useForm({ initialValues: { timeZone: '' }, validate: zodResolver(formSchema) });
  const { setValues, resetDirty } = form;
  useEffect(() => {
    if (current.data) {
      setValues({ timeZone: current.data.timeZone });
      resetDirty({ timeZone: current.data.timeZone });
    }
  }, [current.data, setValues, resetDirty]);
  const save = trpc.campaign.setTimeZone.useMutation({
    onSuccess: (saved) => {
      utils.campaign.timeZone.setData(undefined, saved);
      resetDirty(saved);
    },
  });
  return (
    <Stack gap="md" maw={480}>
      <PageHeader title="Time zone" />
      <Text size="sm" c="dimmed">
        Campaigns scheduled for a time are sent at that time in this zone. Send windows follow each
        recipient&apos;s own country instead.
      </Text>
      <form onSubmit={form.onSubmit((values) => save.mutate(values))}>
        <Stack gap="sm">
          <Select
            label="Workspace time zone"
            searchable
            data={zones}
            allowDeselect={false}
            nothingFoundMessage="No such zone"
            description={form.values.timeZone ? `Now there: ${localNow(form.values.timeZone)}` : undefined}
            {...form.getInputProps('timeZone')}
          />
          <FormError error={save.error} shownFields={['timeZone']} />
          <Group>
            <Button type="submit" loading={save.isPending} disabled={!form.isDirty()}>
              Save time zone
            </Button>
            {save.isSuccess && !form.isDirty() && (
              <Text size="sm" c="teal" role="status">
                Saved.
              </Text>
            )}
          </Group>
        </Stack>
      </form>
    </Stack>
  );
}

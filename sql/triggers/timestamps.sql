-- created_at immutable, updated_at moving on real changes (app_private.tg__timestamps), on every table
-- that has the pair of columns.
do $$
declare
  target regclass;
begin
  foreach target in array array[
    'app_private.tenants',
    'app_private.users',
    'app_public.memberships',
    'app_private.plans',
    'app_public.channels',
    'app_public.phone_numbers',
    'app_public.contacts',
    'app_public.contact_attributes',
    'app_public.contact_imports',
    'app_public.conversations',
    'app_public.messages',
    'app_public.templates',
    'app_public.teams',
    'app_public.media',
    'app_public.canned_responses',
    'app_public.auto_assignment_rules',
    'app_public.segments',
    'app_public.campaigns'
  ]::regclass[] loop
    execute format(
      'create or replace trigger _100_timestamps before update on %s for each row execute function app_private.tg__timestamps()',
      target
    );
  end loop;
end
$$;

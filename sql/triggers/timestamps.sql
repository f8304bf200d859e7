create or replace trigger _100_timestamps
  before update on app_private.tenants
  for each row execute function app_private.tg__timestamps();

create or replace trigger _100_timestamps
  before update on app_private.users
  for each row execute function app_private.tg__timestamps();

create or replace trigger _100_timestamps
  before update on app_public.memberships
  for each row execute function app_private.tg__timestamps();

create or replace trigger _100_timestamps
  before update on app_private.plans
  for each row execute function app_private.tg__timestamps();

create or replace trigger _100_timestamps
  before update on app_public.channels
  for each row execute function app_private.tg__timestamps();

create or replace trigger _100_timestamps
  before update on app_public.phone_numbers
  for each row execute function app_private.tg__timestamps();

create or replace trigger _100_timestamps
  before update on app_public.contacts
  for each row execute function app_private.tg__timestamps();

create or replace trigger _100_timestamps
  before update on app_public.conversations
  for each row execute function app_private.tg__timestamps();

create or replace trigger _100_timestamps
  before update on app_public.messages
  for each row execute function app_private.tg__timestamps();

create or replace trigger _100_timestamps
  before update on app_public.templates
  for each row execute function app_private.tg__timestamps();

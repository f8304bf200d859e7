select app_private.apply_tenant_policies('app_public.templates');
revoke all on app_public.templates from parley_app;
grant select, insert, delete on app_public.templates to parley_app;
grant update (meta_template_id, category, status, quality_score, rejected_reason, components)
  on app_public.templates to parley_app;

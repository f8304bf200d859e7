--! Previous: sha1:a7cd4d514078d1490c6034400271128c3a8814e5
--! Hash: sha1:9218ade1769722ad54da716721a338b40d4747c0
--! Message: notes can be edited and deleted

-- Internal notes (issue 20): their author (or an admin) edits and deletes them; the thread says
-- "edited" and when. Grants and the announcing triggers are re-applied from sql/.
alter table app_public.conversation_notes add column if not exists edited_at timestamptz;

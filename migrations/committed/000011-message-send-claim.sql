--! Previous: sha1:b58b99e0df2cc396d4f39b972bd96e3020396202
--! Hash: sha1:39b1e076e171e92efe5f4e5ea46fcae4851068f5
--! Message: message send claim

-- A claim on sending a message: the message.send job that set it is talking to Meta until then.
-- Another attempt of the job (retried after its node lost the database and its heartbeat expired)
-- finds the claim live and waits instead of sending the same message a second time.
alter table app_public.messages add column send_claimed_until timestamptz;

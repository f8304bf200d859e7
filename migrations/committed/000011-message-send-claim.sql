--! Previous: sha1:8faecaaff310d1abbb53be4c2052c1a550ba5f53
--! Hash: sha1:7f715242d0eb40d8415e9f524c588f61638ac280
--! Message: message send claim

-- A claim on sending a message: the message.send job that set it is talking to Meta until then.
-- Another attempt of the job (retried after its node lost the database and its heartbeat expired)
-- finds the claim live and waits instead of sending the same message a second time.
alter table app_public.messages add column send_claimed_until timestamptz;

import { Alert, type AlertProps } from '@mantine/core';
import { formError, type ClientError } from './errors.ts';

/**
 * A failed call's message above a form's button, unless it is only about fields shown beside their
 * inputs (`shownFields`, see formError). Renders nothing when there is nothing to say.
 */
export function FormError({
  error,
  shownFields,
  ...props
}: { error: ClientError; shownFields?: readonly string[] } & AlertProps) {
  const message = formError(error, shownFields);
  return message ? (
    <Alert color="red" role="alert" {...props}>
      {message}
    </Alert>
  ) : null;
}

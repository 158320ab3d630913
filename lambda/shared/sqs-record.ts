import type { SQSRecord } from 'aws-lambda';
import type * as z from 'zod';

/**
 * An SQS record's body checked against a job schema, for the queue consumers (sender, confirmation
 * worker). A body that is not JSON fails like one of the wrong shape: the consumer reports the record
 * failed, so after its last receive it lands in the dead-letter queue for a human instead of vanishing.
 */
export function parseRecord<S extends z.ZodType>(record: Pick<SQSRecord, 'body'>, schema: S): z.ZodSafeParseResult<z.output<S>> {
  let body: unknown;
  try {
    body = JSON.parse(record.body);
  } catch {
    body = undefined;
  }
  return schema.safeParse(body);
}

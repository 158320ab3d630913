import { QueryCommand, type DynamoDBDocumentClient, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';

/** Every item a query finds, over DynamoDB's pages (1 MB each); a failure is thrown as `wrap(error)`. */
export async function queryAll(
  doc: Pick<DynamoDBDocumentClient, 'send'>,
  input: QueryCommandInput,
  wrap: (error: unknown) => Error,
): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    let out;
    try {
      out = await doc.send(new QueryCommand({ ...input, ...(start ? { ExclusiveStartKey: start } : {}) }));
    } catch (error) {
      throw wrap(error);
    }
    items.push(...(out.Items ?? []));
    start = out.LastEvaluatedKey;
  } while (start);
  return items;
}

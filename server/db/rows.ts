/**
 * slonik returns rows as a readonly array; a procedure's output (and the client reading it) wants a
 * plain one. The rows themselves are already the output's shape (see sql.type in the query).
 */
export async function mutableRows<T>(rows: Promise<readonly T[]>): Promise<T[]> {
  return [...(await rows)];
}

// UUIDs as callers type them into paths: checked before they reach a uuid column, where anything
// else would be a Postgres error rather than "not found".
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const isUuid = (text: string): boolean => UUID.test(text);

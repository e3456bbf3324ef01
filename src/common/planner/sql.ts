/**
 * SQL expressions that produce the API's text forms, for plan declarations. Each mirrors what the
 * scalar or the id helper prints for the loader path.
 */

/** A Relay global id, as `toGlobalId` (src/common/ids.ts) encodes it: base64url("Type:uuid"), no padding. */
export const globalIdSql = (type: string, column: string) =>
  `translate(encode(convert_to('${type}:' || ${column}, 'UTF8'), 'base64'), E'+/=\\n', '-_')`;

/** A numeric column as the Decimal scalar prints a value read from the database (decimal.js `toFixed()`). */
export const decimalSql = (column: string) => `trim_scale(${column})::text`;

/** A timestamptz as the DateTime scalar prints it (`toISOString()`: UTC, milliseconds). */
export const dateTimeSql = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/** A date column as the Date scalar prints it. */
export const dateSql = (column: string) => `to_char(${column}, 'YYYY-MM-DD')`;

/** A numeric shown as Float (read with `Number(text)`): float8 converts the same text the same way. */
export const floatSql = (column: string) => `${column}::float8`;

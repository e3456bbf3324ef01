import { lexicographicSortSchema, printSchema } from 'graphql';
import { buildAppSchema } from './schema';

/** The SDL committed as schema/schema.graphql (sorted, so diffs show only real changes). */
export async function printSchemaFile(): Promise<string> {
  const schema = await buildAppSchema();
  return `# Generated from the code by \`npm run schema\`. Do not edit by hand.\n\n${printSchema(lexicographicSortSchema(schema))}\n`;
}

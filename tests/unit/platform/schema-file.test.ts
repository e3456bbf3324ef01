import fs from 'node:fs';
import path from 'node:path';
import { printSchemaFile } from '../../../src/server/print-schema';

describe('schema/schema.graphql', () => {
  it('is what the code emits (run `npm run schema` to regenerate it)', async () => {
    const committed = fs.readFileSync(path.resolve(__dirname, '../../../schema/schema.graphql'), 'utf8');
    const emitted = await printSchemaFile();
    if (committed !== emitted) {
      throw new Error('schema/schema.graphql is stale: run `npm run schema` and commit the result');
    }
  });
});

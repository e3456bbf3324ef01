import 'reflect-metadata';
import fs from 'node:fs';
import path from 'node:path';
import { printSchemaFile } from '../server/print-schema';

/** `npm run schema`: writes schema/schema.graphql from the code. */
printSchemaFile().then((sdl) => {
  const file = path.resolve(__dirname, '../../../schema/schema.graphql');
  const target = fs.existsSync(path.dirname(file)) ? file : path.resolve('schema/schema.graphql');
  fs.writeFileSync(target, sdl);
  console.log(`wrote ${path.relative(process.cwd(), target)}`);
});

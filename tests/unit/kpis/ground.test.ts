import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

/**
 * KPIs are the plan's measurement ground: okrs, budgets and campaigns refer to them, never the
 * other way round. The KPI module imports none of them (a follower fills its hooks at
 * composition, src/modules/composition.ts).
 */
const DIR = path.resolve(__dirname, '../../../src/modules/kpis');
const ABOVE = ['okrs', 'budgets', 'campaigns', 'tasks', 'sops'];

it('the KPI module imports none of the modules standing on it', () => {
  const wrong: string[] = [];
  for (const file of fs.readdirSync(DIR).filter((f) => f.endsWith('.ts'))) {
    const info = ts.preProcessFile(fs.readFileSync(path.join(DIR, file), 'utf8'), true, true);
    for (const { fileName } of info.importedFiles) {
      const target = path.resolve(DIR, fileName);
      const module = path.relative(path.resolve(DIR, '..'), target).split(path.sep)[0];
      if (fileName.startsWith('.') && ABOVE.includes(module)) wrong.push(`${file} -> ${fileName}`);
    }
  }
  expect(wrong).toEqual([]);
});

import fs from 'node:fs';
import path from 'node:path';
import { Kind, buildSchema, parse, validate, type DocumentNode } from 'graphql';

const root = path.join(__dirname, '../../..');
const schema = buildSchema(fs.readFileSync(path.join(root, 'schema/schema.graphql'), 'utf8'));

/** The copy-paste operations of the "RACI matrices and SOPs" section of docs/api.md, one by one. */
function operations(): Array<{ text: string; doc: DocumentNode }> {
  const md = fs.readFileSync(path.join(root, 'docs/api.md'), 'utf8');
  const start = md.indexOf('## RACI matrices and SOPs');
  const next = md.indexOf('\n## ', start + 1);
  const section = md.slice(start, next === -1 ? undefined : next);
  return [...section.matchAll(/```graphql\n([\s\S]*?)```/g)].flatMap((m) =>
    parse(m[1]).definitions.map((d) => ({ text: m[1].slice(d.loc!.start, d.loc!.end), doc: { kind: Kind.DOCUMENT, definitions: [d] } as DocumentNode })),
  );
}

describe('docs/api.md, RACI matrices and SOPs', () => {
  it('has operations that are valid against the schema', () => {
    const ops = operations();
    // Every root field of the module is shown.
    const shown = new Set(ops.flatMap((op) => (op.doc.definitions[0].kind === Kind.OPERATION_DEFINITION ? op.doc.definitions[0].selectionSet.selections : []).map((s) => (s.kind === Kind.FIELD ? s.name.value : ''))));
    const fields = [
      'createRaciMatrix', 'addRaciActivity', 'removeRaciActivity', 'setRaciAssignment', 'raciMatrices', 'myRaciRoles',
      'createSop', 'updateSopDraft', 'submitSopForReview', 'approveSopVersion', 'rejectSopVersion', 'startSopRevision', 'archiveSop',
      'acknowledgeSop', 'sops', 'linkTaskToSopStep', 'sopPublished', 'raciMatrixChanged',
    ];
    expect(fields.filter((f) => !shown.has(f))).toEqual([]);
    for (const op of ops) {
      expect({ op: op.text, errors: validate(schema, op.doc).map((e) => e.message) }).toEqual({ op: op.text, errors: [] });
    }
  });
});

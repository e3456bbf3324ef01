import 'reflect-metadata';
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import {
  assertEventType,
  declaredEventTypes,
  defineEventTypes,
  eventTypeOf,
  isEventType,
  PlanningEventTypeDescriptions,
  PlanningEventTypes,
} from '../../../src/common/event-types';
import { subscribedEventTypes } from '../../../src/modules/realtime/subscriptions';
import { buildAppSchema } from '../../../src/server/schema';

/**
 * The event contract: event types are declared by the modules that publish them
 * (src/modules/<module>/<module>.events.ts), every declared type is published by its owner (an
 * audited `action` or an announcement's `type`, found in the source), every published type is
 * declared, and every type a subscription field listens to is declared and published: a type
 * that is renamed on one side only, or a subscription to a type nobody announces, fails here.
 */

const MODULES = path.resolve(__dirname, '../../../src/modules');

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? sourceFiles(p) : e.name.endsWith('.ts') ? [p] : [];
  });
}

interface PublishSite {
  type: string;
  module: string;
  at: string;
}

/**
 * Where the modules publish events: an audited action (`action: 'task.created'`, announced as
 * TASK_CREATED) and an announced type (`type: TASKS_EVENTS.TASK_ASSIGNED` or a string literal) in
 * an object literal that also names the `entityType` (an `emitAfterCommit` argument, a change's
 * `event`). The realtime module only delivers.
 */
function publishSites(): PublishSite[] {
  const sites: PublishSite[] = [];
  for (const file of sourceFiles(MODULES)) {
    const module = path.relative(MODULES, file).split(path.sep)[0];
    if (module === 'realtime') continue; // delivers events (PlanningEvent objects), publishes none
    const source = ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true);
    const at = (node: ts.Node) => `${path.relative(MODULES, file)}:${source.getLineAndCharacterOfPosition(node.getStart()).line + 1}`;
    const visit = (node: ts.Node): void => {
      if (ts.isPropertyAssignment(node) && ts.isIdentifier(node.name)) {
        const init = node.initializer;
        if (node.name.text === 'action' && ts.isStringLiteralLike(init) && /^[a-z_]+\.[a-z_]+$/.test(init.text)) {
          sites.push({ type: init.text.toUpperCase().replace(/\./g, '_'), module, at: at(node) });
        }
        const siblings = ts.isObjectLiteralExpression(node.parent) ? node.parent.properties : [];
        const announces = siblings.some((p) => p.name && ts.isIdentifier(p.name) && p.name.text === 'entityType');
        if (node.name.text === 'type' && announces) {
          if (ts.isStringLiteralLike(init)) sites.push({ type: init.text, module, at: at(node) });
          else if (ts.isPropertyAccessExpression(init) && /_EVENTS$/.test(init.expression.getText(source))) sites.push({ type: init.name.text, module, at: at(node) });
          else throw new Error(`${at(node)}: an announced type must be a declared constant (<MODULE>_EVENTS.TYPE) or a literal, not ${init.getText(source)}`);
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return sites;
}

describe('defineEventTypes', () => {
  it('returns the names as constants and registers them, with their owner, for the schema enum', () => {
    const declared = defineEventTypes('test-owner', { TEST_THING_HAPPENED: { description: 'A thing happened.' } });
    expect(declared).toEqual({ TEST_THING_HAPPENED: 'TEST_THING_HAPPENED' });
    expect(Object.isFrozen(declared)).toBe(true);
    expect(PlanningEventTypes.TEST_THING_HAPPENED).toBe('TEST_THING_HAPPENED');
    expect(PlanningEventTypeDescriptions.TEST_THING_HAPPENED).toEqual({ description: '(test-owner) A thing happened.' });
    expect(declaredEventTypes().get('TEST_THING_HAPPENED' as never)).toEqual({ owner: 'test-owner', description: 'A thing happened.' });
    expect(isEventType('TEST_THING_HAPPENED')).toBe(true);
    // The same owner may load its declarations again; another module may not take the name.
    expect(() => defineEventTypes('test-owner', { TEST_THING_HAPPENED: { description: 'A thing happened.' } })).not.toThrow();
    expect(() => defineEventTypes('other-owner', { TEST_THING_HAPPENED: { description: 'Mine.' } })).toThrow(/declared by test-owner/);
  });

  it('refuses names that are not enum values and types without a description', () => {
    expect(() => defineEventTypes('test-owner', { 'task.created': { description: 'x' } })).toThrow(/UPPER_SNAKE_CASE/);
    expect(() => defineEventTypes('test-owner', { TASK__CREATED: { description: 'x' } })).toThrow(/UPPER_SNAKE_CASE/);
    expect(() => defineEventTypes('test-owner', { TEST_EMPTY: { description: ' ' } })).toThrow(/needs a description/);
  });

  it('derives an action’s type and refuses an undeclared one', () => {
    defineEventTypes('test-owner', { TEST_ROW_CHECKED_IN: { description: 'x' } });
    expect(eventTypeOf('test_row.checked_in')).toBe('TEST_ROW_CHECKED_IN');
    expect(() => eventTypeOf('test_row.checked_out')).toThrow('Event type TEST_ROW_CHECKED_OUT (from action "test_row.checked_out") is not declared');
    expect(() => assertEventType('NOPE')).toThrow(/NOPE is not declared/);
  });
});

describe('the event contract of the modules', () => {
  let sites: PublishSite[];
  let subscribed: Map<string, readonly string[] | null>;
  let subscriptionFields: string[];
  const owners = new Map<string, string>();

  beforeAll(async () => {
    const schema = await buildAppSchema(); // loads every module, so every declaration
    subscriptionFields = Object.keys(schema.getSubscriptionType()?.getFields() ?? {});
    subscribed = subscribedEventTypes();
    sites = publishSites();
    for (const [type, { owner }] of declaredEventTypes()) if (!owner.startsWith('test-')) owners.set(type, owner);
  });

  it('declares each type once, in the module that publishes it, in that module’s events file', () => {
    expect(owners.size).toBeGreaterThanOrEqual(75);
    const wrong: string[] = [];
    for (const [type, owner] of owners) {
      const publishers = [...new Set(sites.filter((s) => s.type === type).map((s) => s.module))];
      if (publishers.length === 0) wrong.push(`${type} (declared by ${owner}) is never published`);
      else if (publishers.some((m) => m !== owner)) wrong.push(`${type} is declared by ${owner} but published by ${publishers.join(', ')}`);
    }
    expect(wrong).toEqual([]);
    for (const module of new Set(owners.values())) expect(fs.existsSync(path.join(MODULES, module, `${module}.events.ts`))).toBe(true);
  });

  it('publishes only declared types', () => {
    const undeclared = sites.filter((s) => !owners.has(s.type)).map((s) => `${s.at}: ${s.type}`);
    expect(sites.length).toBeGreaterThan(75);
    expect(undeclared).toEqual([]);
  });

  it('subscribes every field through planningSubscription, to declared types that are published', () => {
    expect(subscriptionFields.filter((f) => !subscribed.has(f))).toEqual([]);
    const problems: string[] = [];
    for (const [field, types] of subscribed) {
      if (types?.length === 0) problems.push(`${field} listens to no type`);
      for (const type of types ?? []) {
        if (!owners.has(type)) problems.push(`${field} listens to ${type}, which is not declared`);
        else if (!sites.some((s) => s.type === type)) problems.push(`${field} listens to ${type}, which nothing publishes`);
      }
    }
    expect(problems).toEqual([]);
    expect(subscribed.get('planningEvents')).toBeNull();
    expect(subscribed.get('taskAssigned')).toEqual(['TASK_ASSIGNED']);
    expect(subscribed.get('campaignChanged')).toEqual(
      expect.arrayContaining(['CAMPAIGN_CREATED', 'CAMPAIGN_UPDATED', 'CAMPAIGN_TRANSITIONED', 'CAMPAIGN_RETURN_RECORDED', 'EXPENSE_RECORDED', 'EXPENSE_VOIDED']),
    );
  });
});
